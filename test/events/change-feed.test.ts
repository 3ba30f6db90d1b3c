import pino from 'pino';
import { ChangeFeed } from '../../src/events/change-feed';
import type { ChangeRecord } from '../../src/events/change-record';
import { CHANGE_EVENTS_CHANNEL } from '../../src/events/outbox';
import { latestCursor, nextIsrc, registerWork, writeEvents } from '../support/changes';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedDemoPartners, type Demo } from '../support/demo';
import { startTestGateway, testSettings, type TestGateway } from '../support/gateway';
import { holdingTransaction, waitUntil } from '../support/locks';
import { bearer, subscribeChanges } from '../support/subscriptions';

let db: TestDatabase;
let gateway: TestGateway;
let demo: Demo;

beforeAll(async () => {
  db = await createTestDatabase();
  demo = await seedDemoPartners(db.dataSource);
  // A poll far longer than the test: whatever arrives does so by notification or reconnection.
  gateway = await startTestGateway(db.dataSource, { changes: { ...testSettings().changes, feedPollMs: 600_000 } });
});
afterAll(async () => {
  await gateway.close();
  await db.drop();
});

async function listenerPids(): Promise<number[]> {
  const rows = await db.dataSource.query(
    `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'accord-change-feed'`,
  );
  return rows.map((row: { pid: number }) => row.pid);
}

describe('the change feed', () => {
  it('survives losing its LISTEN connection: reconnects and delivers what committed meanwhile', async () => {
    const subscriber = subscribeChanges(gateway.url, bearer(demo.operations.token), { since: await latestCursor(db.dataSource) });
    try {
      const [pid] = await listenerPids();
      expect(pid).toBeDefined();
      await db.dataSource.query('SELECT pg_terminate_backend($1)', [pid]);
      await writeEvents(db.dataSource, { actorId: demo.aurora.id, partnerIds: [demo.aurora.id], count: 2, title: 'While deaf' });
      await subscriber.waitFor(2, 10_000);
      const [reconnected] = await listenerPids();
      expect(reconnected).not.toBe(pid);

      await registerWork(gateway, demo.aurora.token, { isrc: nextIsrc(), title: 'After', labelGlobalId: demo.aurora.globalId });
      const events = await subscriber.waitFor(3);
      expect(events.map((event) => event.payload.title)).toEqual(['While deaf 0', 'While deaf 1', 'After']);
    } finally {
      await subscriber.dispose();
    }
  });

  it('delivers events held back by an older transaction that ends without a notification', async () => {
    const subscriber = subscribeChanges(gateway.url, bearer(demo.operations.token), { since: await latestCursor(db.dataSource) });
    // An older transaction with an id, still open: the next commit is not final until it ends.
    const older = await holdingTransaction(db.dataSource, 'SELECT pg_current_xact_id()', []);
    try {
      await registerWork(gateway, demo.aurora.token, { isrc: nextIsrc(), title: 'Held back', labelGlobalId: demo.aurora.globalId });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(subscriber.events).toHaveLength(0);
      // It rolls back: no NOTIFY comes, the feed finds out by looking again.
      await older.rollbackTransaction();
      const [event] = await subscriber.waitFor(1, 5_000);
      expect(event.payload.title).toBe('Held back');
    } finally {
      await older.release();
      await subscriber.dispose();
    }
  });
});

describe('a change feed starting while notifications arrive', () => {
  it('starts without a failed read, and hands on what commits right after', async () => {
    const errors: unknown[] = [];
    const logger = pino({ level: 'error' }, { write: (line: string) => errors.push(JSON.parse(line)) });
    const received: ChangeRecord[] = [];
    let notifying = true;
    const notifier = (async () => {
      while (notifying) await db.dataSource.query(`SELECT pg_notify($1, '0')`, [CHANGE_EVENTS_CHANNEL]);
    })();
    try {
      for (let attempt = 0; attempt < 5; attempt += 1) {
        const feed = new ChangeFeed(db.dataSource, async (records) => void received.push(...records), { pollIntervalMs: 600_000, logger });
        await feed.start();
        await writeEvents(db.dataSource, { actorId: demo.aurora.id, partnerIds: [demo.aurora.id], count: 1, title: `Started ${attempt}` });
        await waitUntil(async () => received.some((record) => record.payload.title === `Started ${attempt} 0`));
        await feed.stop();
      }
    } finally {
      notifying = false;
      await notifier;
    }
    expect(errors).toEqual([]);
  });
});
