import { ORIGIN, toCursor } from '../../src/events/cursor';
import { latestCursor, nextIsrc, registerWork, writeEvents } from '../support/changes';
import type { TestDatabase } from '../support/database';
import { startDemoGateway, stopDemoGateway } from '../support/demo-gateway';
import type { Demo } from '../support/demo';
import type { TestGateway } from '../support/gateway';
import { bearer, disposedAfterEach, subscribeChanges, type ReceivedChange } from '../support/subscriptions';

let db: TestDatabase;
let gateway: TestGateway;
let demo: Demo;
const track = disposedAfterEach();

beforeAll(async () => ({ db, gateway, demo } = await startDemoGateway()));
afterAll(() => stopDemoGateway({ db, gateway }));

function subscribe(token: string, since: string) {
  const subscriber = subscribeChanges(gateway.url, bearer(token), { since });
  return track(subscriber);
}

/** Partner ids each received event names, read back from the outbox by entity. */
async function partnersNamedBy(events: ReceivedChange[]): Promise<string[][]> {
  const rows = (await db.dataSource.query(
    `SELECT e.transaction_id::text || ':' || e.id::text AS position, e.partner_ids FROM change_event e`,
  )) as { position: string; partner_ids: string[] }[];
  const byCursor = new Map(rows.map((row) => [Buffer.from(row.position).toString('base64url'), row.partner_ids]));
  return events.map((event) => byCursor.get(event.cursor)!);
}

const GRANT = `mutation($d: ID!, $l: ID) { grantMandate(input: {distributor: $d, label: $l, permissions: [READ_CATALOG]}) { id version } }`;
const REVOKE = `mutation($m: ID!, $v: Int!) { revokeMandate(input: {mandate: $m, expectedVersion: $v}) { active } }`;

/** A moment for anything that should not arrive to show up if it were going to. */
async function settle() {
  await new Promise((resolve) => setTimeout(resolve, 300));
}

describe('who hears which change', () => {
  it('a label never hears another label’s events, in replay or live', async () => {
    const since = await latestCursor(db.dataSource);
    const aurora = subscribe(demo.aurora.token, toCursor(ORIGIN));
    const meridian = subscribe(demo.meridian.token, since);
    const internal = subscribe(demo.operations.token, since);
    for (let index = 0; index < 5; index += 1) {
      await registerWork(gateway, demo.aurora.token, { isrc: nextIsrc(), title: `Aurora ${index}`, labelGlobalId: demo.aurora.globalId });
      await registerWork(gateway, demo.meridian.token, { isrc: nextIsrc(), title: `Meridian ${index}`, labelGlobalId: demo.meridian.globalId });
    }
    await internal.waitFor(10);
    await meridian.waitFor(5);
    await settle();
    expect(meridian.events.map((event) => event.payload.title)).toEqual([0, 1, 2, 3, 4].map((index) => `Meridian ${index}`));
    const auroraHeard = await partnersNamedBy(aurora.events);
    expect(auroraHeard.length).toBeGreaterThan(30);
    expect(auroraHeard.every((partners) => partners.includes(demo.aurora.id))).toBe(true);
    expect(aurora.events.filter((event) => String(event.payload.title).startsWith('Aurora '))).toHaveLength(5);
  });

  it('an AI partner hears nothing it is not party to, and exactly what names it', async () => {
    const resonance = subscribe(demo.resonance.token, toCursor(ORIGIN));
    const internal = subscribe(demo.operations.token, await latestCursor(db.dataSource));
    await registerWork(gateway, demo.aurora.token, { isrc: nextIsrc(), title: 'Not for AI', labelGlobalId: demo.aurora.globalId });
    await gateway.request(demo.aurora.token, GRANT, { d: demo.tidewater.globalId });
    await writeEvents(db.dataSource, { actorId: demo.aurora.id, partnerIds: [demo.aurora.id, demo.resonance.id], count: 1, title: 'Licensed to Resonance' });
    await internal.waitFor(3);
    await resonance.waitFor(1);
    await settle();
    expect(resonance.events.map((event) => event.payload.title)).toEqual(['Licensed to Resonance 0']);
  });

  it('a distributor hears the labels it holds READ_CATALOG for, following grants and revocations while connected', async () => {
    const since = await latestCursor(db.dataSource);
    const tidewater = subscribe(demo.tidewater.token, since);
    const internal = subscribe(demo.operations.token, since);
    const meridianWork = (title: string) =>
      registerWork(gateway, demo.meridian.token, { isrc: nextIsrc(), title, labelGlobalId: demo.meridian.globalId });
    const auroraWork = (title: string) =>
      registerWork(gateway, demo.aurora.token, { isrc: nextIsrc(), title, labelGlobalId: demo.aurora.globalId });
    // Live first: replay applies the rule as it stands when the stream starts, live delivery as each
    // event is handed out. Each step is awaited so that each event is handed out before the next change.
    await auroraWork('Aurora, mandated all along');
    await tidewater.waitFor(1);
    await meridianWork('Before the mandate');
    const granted = await gateway.request(demo.meridian.token, GRANT, { d: demo.tidewater.globalId });
    await tidewater.waitFor(2);
    await meridianWork('During the mandate');
    await tidewater.waitFor(3);
    await gateway.request(demo.meridian.token, REVOKE, { m: granted.body.data.grantMandate.id, v: 1 });
    await tidewater.waitFor(4);
    await meridianWork('After the mandate');
    await auroraWork('Aurora, still mandated');
    await internal.waitFor(7);
    await tidewater.waitFor(5);
    await settle();
    expect(tidewater.events.map((event) => [event.type, event.payload.title])).toEqual([
      ['WORK_REGISTERED', 'Aurora, mandated all along'],
      ['MANDATE_GRANTED', undefined],
      ['WORK_REGISTERED', 'During the mandate'],
      ['MANDATE_REVOKED', undefined],
      ['WORK_REGISTERED', 'Aurora, still mandated'],
    ]);
    expect(tidewater.events[1].payload).toEqual({ permissions: ['READ_CATALOG'], validFrom: expect.any(String), validUntil: null });
  });

  it('shows each subscriber only the payload it could read through queries', async () => {
    const since = await latestCursor(db.dataSource);
    const [other] = await db.dataSource.query(
      `INSERT INTO partner (name, type) VALUES ('Second Distribution', 'DISTRIBUTOR') RETURNING id`,
    );
    const otherGlobalId = Buffer.from(`Partner:${other.id}`).toString('base64url');
    const subscribers = {
      tidewater: subscribe(demo.tidewater.token, since),
      aurora: subscribe(demo.aurora.token, since),
      internal: subscribe(demo.operations.token, since),
    };
    // Connected before the suspension, so that Aurora's own socket is there to be closed.
    await Promise.all(Object.values(subscribers).map((subscriber) => subscriber.acknowledged));
    // A mandate Aurora gives another distributor: Tidewater hears it through Aurora, may not read its terms.
    await gateway.request(demo.aurora.token, GRANT, { d: otherGlobalId });
    // A work moving from Aurora to Meridian: Tidewater hears it through the previous owner only.
    const isrc = nextIsrc();
    await registerWork(gateway, demo.aurora.token, { isrc, title: 'Moving', labelGlobalId: demo.aurora.globalId });
    await registerWork(gateway, demo.operations.token, { isrc, title: 'Moved', labelGlobalId: demo.meridian.globalId });
    // Aurora suspended and reinstated: only internal reads the reason, Tidewater not even the status.
    const status = (mutation: string) =>
      gateway.request(demo.operations.token, `mutation($p: ID!) { ${mutation}(input: {partner: $p, reason: "audit"}) { status } }`, {
        p: demo.aurora.globalId,
      });
    await status('suspendPartner');
    await status('reinstatePartner');
    await subscribers.internal.waitFor(5);
    await subscribers.tidewater.waitFor(5);
    const aurora = subscribe(demo.aurora.token, since);
    await aurora.waitFor(5);

    const payloads = (events: ReceivedChange[]) => events.map((event) => [event.type, event.payload]);
    expect(payloads(subscribers.internal.events)).toEqual([
      ['MANDATE_GRANTED', expect.objectContaining({ permissions: ['READ_CATALOG'] })],
      ['WORK_REGISTERED', { isrc, title: 'Moving' }],
      ['WORK_UPDATED', { isrc, title: 'Moved' }],
      ['PARTNER_SUSPENDED', { status: 'SUSPENDED', reason: 'audit' }],
      ['PARTNER_REINSTATED', { status: 'ACTIVE', reason: 'audit' }],
    ]);
    expect(payloads(subscribers.tidewater.events)).toEqual([
      ['MANDATE_GRANTED', {}],
      ['WORK_REGISTERED', { isrc, title: 'Moving' }],
      ['WORK_UPDATED', {}],
      ['PARTNER_SUSPENDED', {}],
      ['PARTNER_REINSTATED', {}],
    ]);
    // Aurora's own socket was closed by the suspension; replayed afterwards, it reads its status, not the reason.
    expect((await subscribers.aurora.closed).code).toBe(4403);
    expect(payloads(aurora.events)).toEqual([
      ['MANDATE_GRANTED', expect.objectContaining({ permissions: ['READ_CATALOG'] })],
      ['WORK_REGISTERED', { isrc, title: 'Moving' }],
      ['WORK_UPDATED', { isrc, title: 'Moved' }],
      ['PARTNER_SUSPENDED', { status: 'SUSPENDED' }],
      ['PARTNER_REINSTATED', { status: 'ACTIVE' }],
    ]);
  });
});
