import { toGlobalId } from '../../src/common/relay/global-id';
import { ORIGIN, toCursor } from '../../src/events/cursor';
import { pruneOutbox } from '../../src/events/outbox-retention';
import { cursorsInOutbox, latestCursor, nextIsrc, registerWork, writeEvents } from '../support/changes';
import type { TestDatabase } from '../support/database';
import { startDemoGateway, stopDemoGateway } from '../support/demo-gateway';
import type { Demo } from '../support/demo';
import type { TestGateway } from '../support/gateway';
import { bearer, disposedAfterEach, subscribeChanges } from '../support/subscriptions';

let db: TestDatabase;
let gateway: TestGateway;
let demo: Demo;
const track = disposedAfterEach();

beforeAll(async () => ({ db, gateway, demo } = await startDemoGateway()));
afterAll(() => stopDemoGateway({ db, gateway }));

function subscribe(token: string, variables: { since?: string | null; types?: string[] } = {}) {
  const subscriber = subscribeChanges(gateway.url, bearer(token), variables);
  return track(subscriber);
}

async function retitle(title: string, isrc = nextIsrc()) {
  const { body } = await registerWork(gateway, demo.aurora.token, { isrc, title, labelGlobalId: demo.aurora.globalId });
  return body;
}

/**
 * For a subscription without `since`: the socket opens asynchronously, so knock (retitle) until one
 * arrives, then write 'Live' and wait for it. The titles it received, knocks left out.
 */
async function liveTitlesSeenBy(subscriber: ReturnType<typeof subscribe>): Promise<string[]> {
  for (let attempt = 0; subscriber.events.length === 0; attempt += 1) {
    expect(attempt).toBeLessThan(50);
    await retitle('Knock');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await retitle('Live');
  for (let waited = 0; !subscriber.events.some((event) => event.payload.title === 'Live'); waited += 10) {
    expect(waited).toBeLessThan(15_000);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return subscriber.events.map((event) => event.payload.title as string).filter((title) => title !== 'Knock');
}

/** Subscribes from the newest event: it hears whatever commits next, however long the socket takes to open. */
async function subscribeFromNow(token: string) {
  return subscribe(token, { since: await latestCursor(db.dataSource) });
}

describe('changes: replay and resume', () => {
  it('replays every event after a cursor from the outbox, in outbox order, then streams live with no gap and no duplicate', async () => {
    const everything = await cursorsInOutbox(db.dataSource);
    const since = everything[4];
    const subscriber = subscribe(demo.operations.token, { since });
    await subscriber.waitFor(everything.length - 5);
    await retitle('After the switch');
    const events = await subscriber.waitFor(everything.length - 4);
    expect(events.map((event) => event.cursor)).toEqual(await cursorsInOutbox(db.dataSource).then((all) => all.slice(5)));
    expect(events.at(-1)).toMatchObject({ type: 'WORK_REGISTERED', payload: { title: 'After the switch' }, actor: { name: 'Aurora Records' } });
  });

  it('after a disconnect, resuming with the last cursor delivers exactly the 100 events that happened meanwhile', async () => {
    const first = await subscribeFromNow(demo.operations.token);
    await retitle('Before the disconnect');
    await first.waitFor(1);
    const resumeFrom = first.lastCursor()!;
    await first.dispose();

    const titles = Array.from({ length: 100 }, (_, index) => `Meanwhile ${index}`);
    for (const title of titles) expect((await retitle(title)).errors).toBeUndefined();

    const resumed = subscribe(demo.operations.token, { since: resumeFrom });
    const events = await resumed.waitFor(100);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(resumed.events).toHaveLength(100);
    expect(events.map((event) => event.payload.title)).toEqual(titles);
    expect(new Set(events.map((event) => event.cursor)).size).toBe(100);
    const [{ transaction_id, id }] = await db.dataSource.query(
      `SELECT e.transaction_id::text AS transaction_id, e.id::text AS id FROM change_event e ORDER BY e.transaction_id DESC, e.id DESC LIMIT 1`,
    );
    expect(events.at(-1)!.cursor).toBe(toCursor({ transactionId: BigInt(transaction_id), id: BigInt(id) }));
  });

  it('a mutation that fails at commit and rolls back emits nothing, nor does a rolled-back transaction', async () => {
    await db.dataSource.query(`CREATE FUNCTION refuse_doomed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'doomed'; END $$`);
    await db.dataSource.query(
      `CREATE CONSTRAINT TRIGGER refuse_doomed AFTER INSERT ON change_event DEFERRABLE INITIALLY DEFERRED
       FOR EACH ROW WHEN (NEW.payload->>'title' = 'Doomed') EXECUTE FUNCTION refuse_doomed()`,
    );
    try {
      const subscriber = await subscribeFromNow(demo.operations.token);
      const failed = await retitle('Doomed');
      expect(failed.errors?.[0].extensions.code).toBe('INTERNAL_SERVER_ERROR');
      await writeEvents(db.dataSource, { actorId: demo.aurora.id, partnerIds: [demo.aurora.id], count: 3, rollback: true, title: 'Rolled back' });
      await retitle('Survivor');
      await subscriber.waitFor(1);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(subscriber.events.map((event) => event.payload.title)).toEqual(['Survivor']);
      const [{ count }] = await db.dataSource.query(
        `SELECT count(*)::int AS count FROM change_event WHERE payload->>'title' IN ('Doomed', 'Rolled back 0')`,
      );
      expect(count).toBe(0);
    } finally {
      await db.dataSource.query('DROP TRIGGER refuse_doomed ON change_event');
      await db.dataSource.query('DROP FUNCTION refuse_doomed()');
    }
  });

  it('filters by type, in replay and live alike', async () => {
    const subscriber = subscribe(demo.operations.token, { since: toCursor(ORIGIN), types: ['MANDATE_GRANTED'] });
    await subscriber.waitFor(1);
    const grant = await gateway.request(
      demo.meridian.token,
      `mutation($d: ID!) { grantMandate(input: {distributor: $d, permissions: [READ_CATALOG]}) { id } }`,
      { d: demo.tidewater.globalId },
    );
    await retitle('Not a mandate');
    const events = await subscriber.waitFor(2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(subscriber.events.map((event) => event.type)).toEqual(['MANDATE_GRANTED', 'MANDATE_GRANTED']);
    expect(events[1].entityId).toBe(grant.body.data.grantMandate.id);
  });

  it('without since, streams live events only', async () => {
    // Nothing from before the socket opened, only the knocks that reached it and the live event.
    expect(await liveTitlesSeenBy(subscribe(demo.operations.token))).toEqual(['Live']);
  });

  it('without since, skips what committed before it subscribed, even when this process has not read it yet', async () => {
    // Written without NOTIFY: the gateway's feed reads it only at its next safety poll (every 2 s), after
    // the subscription starts. It committed before, so it is not a live event for this subscriber.
    await db.dataSource.query(
      `INSERT INTO change_event (type, entity_id, actor_id, partner_ids, payload) VALUES ('WORK_UPDATED', $1, $2, ARRAY[$2]::uuid[], $3)`,
      [toGlobalId('Work', '00000000-0000-4000-8000-000000000000'), demo.aurora.id, JSON.stringify({ isrc: 'QZTST2600000', title: 'Unannounced', ownerLabelIds: [demo.aurora.id] })],
    );
    expect(await liveTitlesSeenBy(subscribe(demo.operations.token))).toEqual(['Live']);
  });

  it('subscribers that share an event’s execution still each get the selection they asked for', async () => {
    const since = await latestCursor(db.dataSource);
    const narrow = `subscription($since: String) { changes(since: $since) { type actor { name type } } }`;
    const subscribers = [
      subscribe(demo.operations.token, { since }),
      subscribe(demo.operations.token, { since }),
      subscribeChanges(gateway.url, bearer(demo.operations.token), { since }, narrow),
    ];
    track(subscribers[2]);
    await retitle('Shared');
    const [first, second, third] = await Promise.all(subscribers.map((subscriber) => subscriber.waitFor(1)));
    expect(first[0]).toEqual(second[0]);
    expect(first[0]).toMatchObject({ type: 'WORK_REGISTERED', payload: { title: 'Shared' }, actor: { name: 'Aurora Records' } });
    expect(third[0]).toEqual({ type: 'WORK_REGISTERED', actor: { name: 'Aurora Records', type: 'LABEL' } });
  });

  it('refuses a malformed cursor and an empty type list with BAD_USER_INPUT', async () => {
    const malformed = subscribe(demo.operations.token, { since: 'not-a-cursor' });
    const empty = subscribe(demo.operations.token, { types: [] });
    await Promise.all([malformed.ended, empty.ended]);
    expect(malformed.errors[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'since' }, path: ['changes'] });
    expect(empty.errors[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'types' } });
  });

  it('a cursor older than the pruned rows gets CURSOR_EXPIRED; one at the pruning horizon resumes with nothing lost', async () => {
    const before = await cursorsInOutbox(db.dataSource);
    await db.dataSource.query(
      `UPDATE change_event SET occurred_at = now() - interval '200 hours'
       WHERE (transaction_id, id) <= (SELECT transaction_id, id FROM change_event ORDER BY transaction_id, id OFFSET 9 LIMIT 1)`,
    );
    expect(await pruneOutbox(db.dataSource, 168)).toBe(10);
    const remaining = await cursorsInOutbox(db.dataSource);
    expect(remaining).toEqual(before.slice(10));

    const expired = subscribe(demo.operations.token, { since: before[8] });
    await expired.ended;
    expect(expired.events).toHaveLength(0);
    expect(expired.errors[0]).toMatchObject({
      message: expect.stringMatching(/resynchronize/),
      extensions: { code: 'BAD_USER_INPUT', reason: 'CURSOR_EXPIRED' },
    });

    const horizon = subscribe(demo.operations.token, { since: before[9] });
    const events = await horizon.waitFor(remaining.length);
    expect(events.map((event) => event.cursor)).toEqual(remaining);
  });

  it('serves only subscriptions over WebSocket, and no subscription over HTTP', async () => {
    const query = subscribeChanges(gateway.url, bearer(demo.operations.token), {}, '{ viewer { name } }');
    track(query);
    await query.ended;
    expect(query.errors[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringMatching(/HTTP POST/) });

    const { body } = await gateway.request(demo.operations.token, 'subscription { changes { cursor } }');
    expect(body.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
  });
});
