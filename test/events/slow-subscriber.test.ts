import WebSocket from 'ws';
import { cursorsInOutbox, latestCursor, writeEvents } from '../support/changes';
import type { TestDatabase } from '../support/database';
import { startDemoGateway, stopDemoGateway } from '../support/demo-gateway';
import type { Demo } from '../support/demo';
import { testSettings, type TestGateway } from '../support/gateway';
import { bearer, CHANGES, subscribeChanges, webSocketUrl } from '../support/subscriptions';

let db: TestDatabase;
let gateway: TestGateway;
let demo: Demo;
const BUFFER = 100;

beforeAll(async () => ({ db, gateway, demo } = await startDemoGateway({ changes: { ...testSettings().changes, subscriberBufferEvents: BUFFER } })));
afterAll(() => stopDemoGateway({ db, gateway }));

/**
 * A client that stops reading its socket (graphql-transport-ws spoken by hand over `ws`, paused): the
 * kernel buffers fill, the gateway's writes to it stall, and its events pile up in its buffer.
 */
async function stalledSubscriber(token: string, since: string) {
  const socket = new WebSocket(webSocketUrl(gateway.url), 'graphql-transport-ws');
  const cursors: string[] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  const acknowledged = new Promise<void>((resolve) =>
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString());
      if (message.type === 'connection_ack') resolve();
      if (message.type === 'next') cursors.push(message.payload.data.changes.cursor);
    }),
  );
  await new Promise((resolve) => socket.on('open', resolve));
  socket.send(JSON.stringify({ type: 'connection_init', payload: bearer(token) }));
  await acknowledged;
  socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: CHANGES, variables: { since } } }));
  socket.pause();
  return { cursors, closed, resume: () => socket.resume() };
}

describe('a slow subscriber', () => {
  it('is disconnected with 4413 naming its last delivered cursor, without slowing anyone else, and resumes from it', async () => {
    const since = await latestCursor(db.dataSource);
    const slow = await stalledSubscriber(demo.operations.token, since);
    const fast = subscribeChanges(gateway.url, bearer(demo.operations.token), { since });

    // 400 events of ~64 KB, far more than loopback socket buffers hold: the stalled client's backlog grows
    // past its buffer, while a client that reads gets each burst of 10 before the next is written (paced
    // by what it received, so a busy test machine cannot make the reading client itself fall behind).
    const title = 'x'.repeat(64 * 1024);
    for (let batch = 1; batch <= 40; batch += 1) {
      await writeEvents(db.dataSource, { actorId: demo.aurora.id, partnerIds: [demo.aurora.id], count: 10, title });
      await fast.waitFor(10 * batch, 10_000);
    }
    const all = await cursorsInOutbox(db.dataSource, `(transaction_id::text || ':' || id::text) > ''`);
    const written = all.slice(all.indexOf(since) + 1);
    expect(written).toHaveLength(400);
    expect(fast.events.map((event) => event.cursor)).toEqual(written);

    slow.resume();
    const closed = await slow.closed;
    expect(closed.code).toBe(4413);
    const match = /^slow subscriber: over 100 events behind; resume with since: (\S+)$/.exec(closed.reason);
    expect(match).not.toBeNull();
    expect(slow.cursors.length).toBeGreaterThan(0);
    expect(slow.cursors.length).toBeLessThan(400);
    expect(match![1]).toBe(slow.cursors.at(-1));
    expect(slow.cursors).toEqual(written.slice(0, slow.cursors.length));

    const resumed = subscribeChanges(gateway.url, bearer(demo.operations.token), { since: match![1] });
    await resumed.waitFor(400 - slow.cursors.length, 20_000);
    expect([...slow.cursors, ...resumed.events.map((event) => event.cursor)]).toEqual(written);
    await Promise.all([fast.dispose(), resumed.dispose()]);
  });
});
