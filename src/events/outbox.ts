import type { EntityManager } from 'typeorm';
import type { ChangeType } from './change-type';

export interface NewChangeEvent {
  type: ChangeType;
  /** Global id of the changed object. */
  entityId: string;
  actorId: string;
  /** Partners the change concerns: who may be told about it (internal tools hear everything). */
  partnerIds: readonly string[];
  payload: Record<string, unknown>;
}

/** Channel on which every replica is woken after a commit that wrote events. */
export const CHANGE_EVENTS_CHANNEL = 'accord_change_events';

/**
 * Appends events to the outbox with the manager of the transaction that made the change, so the change
 * and its events commit or roll back together. One statement whatever the number of events; the
 * NOTIFY in it is delivered by PostgreSQL only when (and if) the transaction commits.
 */
export async function appendChangeEvents(manager: EntityManager, events: readonly NewChangeEvent[]): Promise<void> {
  if (!manager.queryRunner?.isTransactionActive) {
    throw new Error('change events must be written inside the transaction of the change');
  }
  if (events.length === 0) return;
  await manager.query(
    `WITH appended AS (
       INSERT INTO change_event (type, entity_id, actor_id, partner_ids, payload)
       SELECT e.type, e.entity_id, e.actor_id,
              ARRAY(SELECT jsonb_array_elements_text(e.partner_ids))::uuid[], e.payload
       FROM jsonb_to_recordset($1::jsonb) AS e(type text, entity_id text, actor_id uuid, partner_ids jsonb, payload jsonb)
       RETURNING id
     )
     SELECT pg_notify('${CHANGE_EVENTS_CHANNEL}', max(id)::text) FROM appended`,
    [
      JSON.stringify(
        events.map((event) => ({
          type: event.type,
          entity_id: event.entityId,
          actor_id: event.actorId,
          partner_ids: [...new Set(event.partnerIds)],
          payload: event.payload,
        })),
      ),
    ],
  );
}
