import type { DataSource, EntityManager } from 'typeorm';
import { AuthenticationError, ForbiddenError } from '../common/errors';
import { MANDATE_IN_FORCE, type MandatePermission } from '../partners/mandate.entity';
import { PartnerStatus, PartnerType } from '../partners/partner.entity';
import type { Viewer } from './viewer';

/**
 * Runs a write in a transaction as the viewer is when it commits. The viewer read at the start of the
 * request may be stale by then; its status and mandates are read again here under share locks, so a
 * suspension or a revocation either waits for this write to commit, or committed first and is seen
 * (FORBIDDEN). The write receives that viewer, to decide with.
 */
export function transactionAs<T>(
  dataSource: DataSource,
  viewer: Viewer,
  write: (manager: EntityManager, viewer: Viewer) => Promise<T>,
): Promise<T> {
  return dataSource.transaction(async (manager) => write(manager, await pinViewer(manager, viewer)));
}

async function pinViewer(manager: EntityManager, viewer: Viewer): Promise<Viewer> {
  const [partner] = (await manager.query(`SELECT status FROM partner WHERE id = $1 FOR SHARE`, [viewer.partnerId])) as {
    status: PartnerStatus;
  }[];
  if (!partner) throw new AuthenticationError('token names no known partner');
  if (partner.status === PartnerStatus.SUSPENDED) throw new ForbiddenError('partner is suspended');
  if (viewer.type !== PartnerType.DISTRIBUTOR) return { ...viewer, status: partner.status };
  const mandates = (await manager.query(
    `SELECT m.label_id AS "labelId", m.permissions FROM mandate m
     WHERE m.distributor_id = $1 AND ${MANDATE_IN_FORCE} ORDER BY m.id FOR SHARE`,
    [viewer.partnerId],
  )) as { labelId: string; permissions: MandatePermission[] }[];
  return { ...viewer, status: partner.status, mandates };
}
