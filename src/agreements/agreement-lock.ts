import type { EntityManager } from 'typeorm';

/**
 * Locks an agreement's row in a statement of its own, so that what the caller reads next (its terms in
 * force) is read after the lock. Locked in the same statement as a join (`FOR UPDATE OF a`), a row
 * changed while we waited is rechecked against the terms row read before the wait (PostgreSQL's
 * EvalPlanQual): an accepted amendment then reads as "no terms in force".
 */
export async function lockAgreementRow(manager: EntityManager, agreementId: string): Promise<void> {
  await manager.query(`SELECT 1 FROM agreement WHERE id = $1 FOR UPDATE`, [agreementId]);
}
