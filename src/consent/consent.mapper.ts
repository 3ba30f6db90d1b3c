import { toGlobalId } from '../common/relay/global-id';
import type { UseType } from '../common/use-type';
import type { ConsentRecordRow } from './consent.service';
import { ConsentDeclarant, ConsentEvidence, ConsentRecord } from './consent.types';

export function toConsentRecord(row: ConsentRecordRow): ConsentRecord {
  return Object.assign(new ConsentRecord(), {
    id: toGlobalId('ConsentRecord', row.id),
    recordId: row.id,
    workId: row.work_id,
    artistId: row.artist_id,
    recordedById: row.recorded_by,
    scope: row.scope,
    useTypes: row.use_types as UseType[],
    territories: row.territories,
    excludedTerritories: row.excluded_territories,
    validFrom: row.valid_from,
    validUntil: row.valid_until,
    state: row.state,
    grantedBy: Object.assign(new ConsentDeclarant(), { name: row.granted_by_name, isni: row.granted_by_isni }),
    evidence: Object.assign(new ConsentEvidence(), {
      method: row.evidence_method,
      documentHash: row.evidence_document_hash,
      url: row.evidence_url,
    }),
    recordedAt: row.recorded_at,
  });
}
