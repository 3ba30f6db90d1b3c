import type { Viewer } from '../auth/viewer';
import { toPartner } from '../partners/partners.mapper';
import { visiblePayload } from './change-payloads';
import type { ChangeRecord } from './change-record';
import { ChangeEvent } from './changes.types';

export function toChangeEvent(record: ChangeRecord, viewer: Viewer): ChangeEvent {
  return Object.assign(new ChangeEvent(), {
    cursor: record.cursor,
    type: record.type,
    entityId: record.entityId,
    occurredAt: record.occurredAt,
    actor: toPartner(record.actor),
    payload: visiblePayload(record, viewer),
  });
}
