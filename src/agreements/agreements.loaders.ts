import DataLoader from 'dataloader';
import type { Viewer } from '../auth/viewer';
import type { AgreementTermsEntity } from './agreement.entity';
import type { AgreementRow, AgreementsService, HistoryRow } from './agreements.service';

function byAgreement<Row>(ids: readonly string[], rows: Row[], key: (row: Row) => string): Row[][] {
  const groups = new Map<string, Row[]>(ids.map((id) => [id, []]));
  for (const row of rows) groups.get(key(row))?.push(row);
  return ids.map((id) => groups.get(id)!);
}

export function createAgreementLoaders(viewer: Viewer, agreements: AgreementsService) {
  return {
    agreementById: new DataLoader<string, AgreementRow | undefined>((ids) => agreements.findByIds(viewer, ids)),
    termsOfAgreement: new DataLoader<string, AgreementTermsEntity[]>(async (ids) =>
      byAgreement(ids, await agreements.termsOf(ids), (row) => row.agreementId),
    ),
    historyOfAgreement: new DataLoader<string, HistoryRow[]>(async (ids) =>
      byAgreement(ids, await agreements.historyOf(ids), (row) => row.agreement_id),
    ),
    selectedIsrcs: new DataLoader<{ agreementId: string; version: number }, string[], string>(
      (keys) => agreements.selectedIsrcsOf(keys),
      { cacheKeyFn: (key) => `${key.agreementId}:${key.version}` },
    ),
  };
}
export type AgreementLoaders = ReturnType<typeof createAgreementLoaders>;
