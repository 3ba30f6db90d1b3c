import { AdvisoryLock } from '../../src/db/advisory-locks';
import { pruneOutbox } from '../../src/events/outbox-retention';
import { countRows, seedDemoPartners, type Demo } from '../support/demo';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { startTestGateway, testSettings } from '../support/gateway';
import { writeEvents } from '../support/changes';

let db: TestDatabase;
let demo: Demo;

beforeAll(async () => {
  db = await createTestDatabase();
  demo = await seedDemoPartners(db.dataSource);
});
afterAll(async () => {
  await db.drop();
});

/**
 * Prunes until `count` rows went: only rows of transactions older than every one still running in the
 * whole server are pruned, and other test files share the server.
 */
async function pruneExpecting(retentionHours: number, count: number): Promise<void> {
  let pruned = 0;
  for (let attempt = 0; pruned < count; attempt += 1) {
    expect(attempt).toBeLessThan(100);
    pruned += await pruneOutbox(db.dataSource, retentionHours);
    if (pruned < count) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(pruned).toBe(count);
}

const age = (hours: number) =>
  db.dataSource.query(`UPDATE change_event SET occurred_at = now() - make_interval(hours => $1)`, [hours]);

describe('outbox retention', () => {
  it('prunes only rows older than the retention, and records how far it pruned', async () => {
    await age(10);
    await writeEvents(db.dataSource, { actorId: demo.aurora.id, partnerIds: [demo.aurora.id], count: 3 });
    const [last] = await db.dataSource.query(
      `SELECT e.transaction_id::text AS transaction_id, e.id::text AS id FROM change_event e
       WHERE e.occurred_at < now() - interval '1 hour' ORDER BY e.transaction_id DESC, e.id DESC LIMIT 1`,
    );
    const before = await countRows(db.dataSource, 'change_event');
    expect(await pruneOutbox(db.dataSource, 24)).toBe(0);
    await pruneExpecting(5, before - 3);
    expect(await countRows(db.dataSource, 'change_event')).toBe(3);
    const [horizon] = await db.dataSource.query(
      `SELECT pruned_through_transaction::text AS transaction_id, pruned_through_id::text AS id FROM change_event_retention`,
    );
    expect(horizon).toEqual(last);
  });

  it('leaves the work to the replica holding the prune lock', async () => {
    await age(10);
    const holder = db.dataSource.createQueryRunner();
    await holder.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1)', [AdvisoryLock.OUTBOX_PRUNING]);
      expect(await pruneOutbox(db.dataSource, 5)).toBe(0);
      await holder.query('SELECT pg_advisory_unlock($1)', [AdvisoryLock.OUTBOX_PRUNING]);
      await pruneExpecting(5, 3);
    } finally {
      await holder.release();
    }
  });

  it('runs in every gateway on the configured interval (OUTBOX_RETENTION_HOURS)', async () => {
    await writeEvents(db.dataSource, { actorId: demo.aurora.id, partnerIds: [demo.aurora.id], count: 2 });
    await age(2);
    const gateway = await startTestGateway(db.dataSource, {
      changes: { ...testSettings().changes, retentionHours: 1, pruneIntervalMs: 50 },
    });
    try {
      for (let waited = 0; (await countRows(db.dataSource, 'change_event')) > 0; waited += 50) {
        expect(waited).toBeLessThan(5000);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      await gateway.close();
    }
  });
});
