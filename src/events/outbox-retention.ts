import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { AdvisoryLock } from '../db/advisory-locks';

const PRUNE_BATCH = 5_000;

/**
 * Deletes outbox rows older than the retention, in batches, each in a transaction holding the prune
 * lock (a replica finding it taken leaves the work to the holder). Only final rows go: a row still
 * waiting behind an older transaction has not reached every subscriber yet. Each batch also moves the
 * pruned-through position, which is what tells a subscriber its cursor is too old (outbox-reader.ts).
 */
export async function pruneOutbox(dataSource: DataSource, retentionHours: number): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await dataSource.transaction(async (manager) => {
      const [{ locked }] = await manager.query('SELECT pg_try_advisory_xact_lock($1) AS locked', [AdvisoryLock.OUTBOX_PRUNING]);
      if (!locked) return 0;
      const [{ count }] = await manager.query(
        `WITH doomed AS (
           SELECT id FROM change_event
           WHERE occurred_at < now() - make_interval(secs => $1)
             AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
           ORDER BY occurred_at LIMIT $2
         ), deleted AS (
           DELETE FROM change_event e USING doomed WHERE e.id = doomed.id RETURNING e.transaction_id, e.id
         ), last AS (
           SELECT transaction_id, id FROM deleted ORDER BY transaction_id DESC, id DESC LIMIT 1
         ), horizon AS (
           UPDATE change_event_retention r
           SET pruned_through_transaction = last.transaction_id, pruned_through_id = last.id
           FROM last WHERE (last.transaction_id, last.id) > (r.pruned_through_transaction, r.pruned_through_id)
         )
         SELECT count(*)::int AS count FROM deleted`,
        [retentionHours * 3600, PRUNE_BATCH],
      );
      return count as number;
    });
    total += deleted;
    if (deleted < PRUNE_BATCH) return total;
  }
}

/** Prunes on an interval in the background; a failure is logged and retried at the next tick. */
export function startOutboxRetention(
  dataSource: DataSource,
  options: { retentionHours: number; intervalMs: number; logger: Logger },
): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    running = pruneOutbox(dataSource, options.retentionHours)
      .then((count) => {
        if (count > 0) options.logger.info({ count }, 'pruned outbox');
      })
      .catch((error: unknown) => options.logger.error({ err: error }, 'outbox pruning failed'))
      .finally(() => (running = undefined));
  }, options.intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
