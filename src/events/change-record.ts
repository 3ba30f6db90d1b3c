import { PartnerEntity, type PartnerStatus, type PartnerType } from '../partners/partner.entity';
import type { ChangeType } from './change-type';
import { toCursor, type Position } from './cursor';

/** A committed change event as read from the outbox, with its actor's row (read once for every subscriber). */
export interface ChangeRecord {
  position: Position;
  cursor: string;
  type: ChangeType;
  entityId: string;
  partnerIds: readonly string[];
  occurredAt: Date;
  /** As written by the module; trimmed per viewer before it is shown (see change-payloads.ts). */
  payload: Record<string, unknown>;
  actor: PartnerEntity;
}

/** Columns of `change_event e JOIN partner p ON p.id = e.actor_id` that `toChangeRecord` reads. */
export const CHANGE_RECORD_COLUMNS = `e.transaction_id::text AS transaction_id, e.id::text AS id, e.type, e.entity_id,
  e.partner_ids, e.occurred_at, e.payload, p.id AS actor_id, p.name AS actor_name, p.type AS actor_type,
  p.status AS actor_status, p.dpid AS actor_dpid, p.created_at AS actor_created_at`;

export interface ChangeRow {
  transaction_id: string;
  id: string;
  type: ChangeType;
  entity_id: string;
  partner_ids: string[];
  occurred_at: Date;
  payload: Record<string, unknown>;
  actor_id: string;
  actor_name: string;
  actor_type: PartnerType;
  actor_status: PartnerStatus;
  actor_dpid: string | null;
  actor_created_at: Date;
}

export function toChangeRecord(row: ChangeRow): ChangeRecord {
  const position = { transactionId: BigInt(row.transaction_id), id: BigInt(row.id) };
  return {
    position,
    cursor: toCursor(position),
    type: row.type,
    entityId: row.entity_id,
    partnerIds: row.partner_ids,
    occurredAt: row.occurred_at,
    payload: row.payload,
    actor: Object.assign(new PartnerEntity(), {
      id: row.actor_id,
      name: row.actor_name,
      type: row.actor_type,
      status: row.actor_status,
      dpid: row.actor_dpid,
      createdAt: row.actor_created_at,
    }),
  };
}
