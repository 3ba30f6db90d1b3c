import type { DataSource, EntityManager } from 'typeorm';
import { AuthenticationError, ForbiddenError } from '../common/errors';
import { AdvisoryNamespace } from '../db/advisory-locks';
import { MANDATE_IN_FORCE, type MandatePermission } from '../partners/mandate.entity';
import { PartnerStatus } from '../partners/partner.entity';
import type { Viewer } from './viewer';

/**
 * Runs a write in a transaction as the viewer is when it commits. The viewer read at the start of the
 * request may be stale by then: its status and mandates are read again once the partner's lock is held,
 * so a suspension or a revocation either waits for this write to commit, or committed first and is seen
 * (FORBIDDEN). The write receives that viewer, to decide with.
 *
 * The partner's advisory lock, not share locks on its rows: the lock manager queues fairly, so a waiting
 * revocation holds off the writes that start after it, where row share locks let a stream of writes
 * starve it.
 */
export function transactionAs<T>(
  dataSource: DataSource,
  viewer: Viewer,
  write: (manager: EntityManager, viewer: Viewer) => Promise<T>,
): Promise<T> {
  return dataSource.transaction(async (manager) => write(manager, await pinViewer(manager, viewer)));
}

/** Waits for the partner's writes in flight, and holds off its next ones until this transaction ends. */
export async function lockOutWritesOf(manager: EntityManager, partnerId: string): Promise<void> {
  await manager.query(`SELECT pg_advisory_xact_lock($1::int, hashtext($2))`, [AdvisoryNamespace.PARTNER_WRITES, partnerId]);
}

async function pinViewer(manager: EntityManager, viewer: Viewer): Promise<Viewer> {
  await manager.query(`SELECT pg_advisory_xact_lock_shared($1::int, hashtext($2))`, [AdvisoryNamespace.PARTNER_WRITES, viewer.partnerId]);
  // A statement of its own, after the lock: it sees what a suspension or revocation committed meanwhile.
  const [partner] = (await manager.query(
    `SELECT p.status, COALESCE((
       SELECT json_agg(json_build_object('labelId', m.label_id, 'permissions', m.permissions) ORDER BY m.id)
       FROM mandate m WHERE m.distributor_id = p.id AND ${MANDATE_IN_FORCE}), '[]') AS mandates
     FROM partner p WHERE p.id = $1`,
    [viewer.partnerId],
  )) as { status: PartnerStatus; mandates: { labelId: string; permissions: MandatePermission[] }[] }[];
  if (!partner) throw new AuthenticationError('token names no known partner');
  if (partner.status === PartnerStatus.SUSPENDED) throw new ForbiddenError('partner is suspended');
  return { ...viewer, status: partner.status, mandates: partner.mandates };
}
