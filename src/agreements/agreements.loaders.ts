import DataLoader from 'dataloader';
import type { Viewer } from '../auth/viewer';
import { groupsFor } from '../common/group-by';
import type { AgreementTermsEntity } from './agreement.entity';
import type { AgreementRow, AgreementsService, HistoryRow } from './agreements.service';

export function createAgreementLoaders(viewer: Viewer, agreements: AgreementsService) {
  return {
    agreementById: new DataLoader<string, AgreementRow | undefined>((ids) => agreements.findByIds(viewer, ids)),
    termsOfAgreement: new DataLoader<string, AgreementTermsEntity[]>(async (ids) =>
      groupsFor(ids, await agreements.termsOf(ids), (row) => row.agreementId),
    ),
    historyOfAgreement: new DataLoader<string, HistoryRow[]>(async (ids) =>
      groupsFor(ids, await agreements.historyOf(ids), (row) => row.agreement_id),
    ),
    selectedIsrcs: new DataLoader<{ agreementId: string; version: number }, string[], string>(
      (keys) => agreements.selectedIsrcsOf(keys),
      { cacheKeyFn: (key) => `${key.agreementId}:${key.version}` },
    ),
  };
}
export type AgreementLoaders = ReturnType<typeof createAgreementLoaders>;
