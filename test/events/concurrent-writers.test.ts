import { cursorsInOutbox, latestCursor, nextIsrc, writeEvents } from '../support/changes';
import type { TestDatabase } from '../support/database';
import { startDemoGateway, stopDemoGateway } from '../support/demo-gateway';
import type { Demo } from '../support/demo';
import type { TestGateway } from '../support/gateway';
import { bearer, subscribeChanges, type ChangeSubscriber } from '../support/subscriptions';

let db: TestDatabase;
let gateway: TestGateway;
let demo: Demo;

beforeAll(async () => ({ db, gateway, demo } = await startDemoGateway()));
afterAll(() => stopDemoGateway({ db, gateway }));

const WRITING_MS = 30_000;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const between = (low: number, high: number) => low + Math.random() * (high - low);

/**
 * Raw transactions that draw their ids at once and commit up to a quarter of a second later, so ids
 * and commit order disagree all the time; one in ten rolls back.
 */
async function rawWriter(until: number, partners: () => string[]) {
  while (Date.now() < until) {
    await writeEvents(db.dataSource, {
      actorId: demo.operations.id,
      partnerIds: partners(),
      count: Math.ceil(between(0, 5)),
      sleepBefore: between(0, 0.05),
      sleepAfter: between(0, 0.25),
      rollback: Math.random() < 0.1,
    });
  }
}

/** Real mutations through the API, one in five refused (a share sum that is not 10000) and so writing nothing. */
async function mutationWriter(until: number, label: { token: string; globalId: string }) {
  while (Date.now() < until) {
    const refused = Math.random() < 0.2;
    const { body } = await gateway.request(
      label.token,
      `mutation($input: [WorkInput!]!) { registerWorks(input: $input) { createdCount } }`,
      {
        input: [
          {
            isrc: nextIsrc(),
            title: 'Concurrent',
            artists: [{ name: 'Nadia Rey', role: 'MAIN' }],
            rightsholders: [{ label: label.globalId, shareBps: refused ? 9000 : 10000 }],
          },
        ],
      },
    );
    expect(Boolean(body.errors)).toBe(refused);
  }
}

/** One subscriber that keeps disconnecting and resuming from its last cursor; returns every event it got, in order. */
async function reconnectingSubscriber(token: string, since: string, until: () => boolean): Promise<string[]> {
  const received: string[] = [];
  let cursor = since;
  while (!until()) {
    const subscriber: ChangeSubscriber = subscribeChanges(gateway.url, bearer(token), { since: cursor });
    await pause(between(200, 2000));
    await subscriber.dispose();
    received.push(...subscriber.events.map((event) => event.cursor));
    cursor = received.at(-1) ?? since;
  }
  return received;
}

async function settledOutbox(where: string, params: unknown[]): Promise<string[]> {
  return cursorsInOutbox(db.dataSource, where, params);
}

describe('eight concurrent writers for 30 seconds', () => {
  it('every subscriber, live or reconnecting, receives exactly the events that committed, in outbox order', async () => {
    const since = await latestCursor(db.dataSource);
    const live = [
      subscribeChanges(gateway.url, bearer(demo.operations.token), { since }),
      subscribeChanges(gateway.url, bearer(demo.operations.token), { since }),
      subscribeChanges(gateway.url, bearer(demo.aurora.token), { since }),
    ];
    const until = Date.now() + WRITING_MS;
    let writing = true;
    const someLabels = () => [[demo.aurora.id], [demo.meridian.id], [demo.aurora.id, demo.meridian.id]][Math.floor(between(0, 3))];
    const writers = Promise.all([
      ...Array.from({ length: 6 }, () => rawWriter(until, someLabels)),
      mutationWriter(until, demo.aurora),
      mutationWriter(until, demo.meridian),
    ]).finally(() => (writing = false));
    const reconnecting = Promise.all([
      reconnectingSubscriber(demo.operations.token, since, () => !writing),
      reconnectingSubscriber(demo.operations.token, since, () => !writing),
      reconnectingSubscriber(demo.aurora.token, since, () => !writing),
    ]);
    await writers;
    const partial = await reconnecting;

    const sinceDecoded = Buffer.from(since, 'base64url').toString().split(':');
    const after = `(e.transaction_id, e.id) > ($1::xid8, $2::bigint)`;
    const everything = await settledOutbox(after, sinceDecoded);
    const aurora = await settledOutbox(`${after} AND $3 = ANY(e.partner_ids)`, [...sinceDecoded, demo.aurora.id]);
    expect(everything.length).toBeGreaterThan(1000);

    // The reconnecting ones resume once more, to the end.
    const finishers = [
      { token: demo.operations.token, got: partial[0], expected: everything },
      { token: demo.operations.token, got: partial[1], expected: everything },
      { token: demo.aurora.token, got: partial[2], expected: aurora },
    ].map(async ({ token, got, expected }) => {
      const rest = subscribeChanges(gateway.url, bearer(token), { since: got.at(-1) ?? since });
      await rest.waitFor(expected.length - got.length, 30_000);
      await pause(200);
      await rest.dispose();
      return { got: [...got, ...rest.events.map((event) => event.cursor)], expected };
    });
    await live[0].waitFor(everything.length, 30_000);
    await live[1].waitFor(everything.length, 30_000);
    await live[2].waitFor(aurora.length, 30_000);
    await pause(200);
    await Promise.all(live.map((subscriber) => subscriber.dispose()));

    expect(live[0].events.map((event) => event.cursor)).toEqual(everything);
    expect(live[1].events.map((event) => event.cursor)).toEqual(everything);
    expect(live[2].events.map((event) => event.cursor)).toEqual(aurora);
    for (const { got, expected } of await Promise.all(finishers)) expect(got).toEqual(expected);
  }, 150_000);
});
