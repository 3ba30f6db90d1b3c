import { latestCursor } from '../support/changes';
import type { TestDatabase } from '../support/database';
import { startDemoGateway, stopDemoGateway } from '../support/demo-gateway';
import type { Demo } from '../support/demo';
import { tokenFor, type TestGateway } from '../support/gateway';
import { bearer, disposedAfterEach, subscribeChanges, type ChangeSubscriber } from '../support/subscriptions';

let db: TestDatabase;
let gateway: TestGateway;
let demo: Demo;
const track = disposedAfterEach();

beforeAll(async () => ({ db, gateway, demo } = await startDemoGateway()));
afterAll(() => stopDemoGateway({ db, gateway }));

/** Subscribes from the newest event, so it hears whatever commits next however long the socket takes to open. */
async function subscribe(connectionParams: Record<string, unknown> | undefined) {
  const subscriber = subscribeChanges(gateway.url, connectionParams, { since: await latestCursor(db.dataSource) });
  return track(subscriber);
}

const SOMEONE = '00000000-0000-4000-8000-000000000001';
const SUSPEND = `mutation($p: ID!) { suspendPartner(input: {partner: $p, reason: "unpaid invoices"}) { status } }`;
const REINSTATE = `mutation($p: ID!) { reinstatePartner(input: {partner: $p, reason: "paid"}) { status } }`;

async function connected(subscriber: ChangeSubscriber) {
  const received = subscriber.events.length;
  // A granted mandate names Tidewater; an event for every subscriber here who may hear it.
  await gateway.request(demo.aurora.token, `mutation($d: ID!) { grantMandate(input: {distributor: $d, permissions: [NEGOTIATE]}) { id } }`, {
    d: demo.tidewater.globalId,
  });
  await subscriber.waitFor(received + 1);
}

describe('subscription connections', () => {
  it.each([
    ['no connection_init payload', undefined, /missing token/],
    ['an empty payload', {}, /missing token/],
    ['a malformed authorization', { authorization: 'Token abc' }, /Bearer/],
    ['a bad signature', { authorization: `Bearer ${tokenFor(SOMEONE)}x` }, /^token signature is invalid$/],
    ['an expired token', { token: tokenFor(SOMEONE, -10) }, /^token expired$/],
    ['a token naming no partner', { token: tokenFor(SOMEONE) }, /^token names no known partner$/],
  ])('refuses %s with 4401 Unauthorized and a reason', async (_name, params, reason) => {
    const subscriber = await subscribe(params);
    const closed = await subscriber.closed;
    expect(closed.code).toBe(4401);
    expect(closed.reason).toMatch(reason);
    expect(subscriber.events).toHaveLength(0);
  });

  it('accepts the token as { token } as well as { authorization: "Bearer …" }', async () => {
    const subscriber = await subscribe({ token: demo.tidewater.token });
    await connected(subscriber);
    expect(subscriber.events.at(-1)!.type).toBe('MANDATE_GRANTED');
  });

  it('closes the socket with 4401 when the token expires', async () => {
    const subscriber = await subscribe(bearer(tokenFor(demo.tidewater.id, 2)));
    let acknowledged = false;
    void subscriber.acknowledged.then(() => (acknowledged = true));
    const closed = await subscriber.closed;
    // Acknowledged first: the socket was accepted, then closed at expiry (not refused at connection).
    expect(acknowledged).toBe(true);
    expect(closed).toEqual({ code: 4401, reason: 'token expired' });
  });

  it('closes the socket with 4403 when the partner is suspended, and refuses it at connection until reinstated', async () => {
    const subscriber = await subscribe(bearer(demo.cadence.token));
    const bystander = await subscribe(bearer(demo.resonance.token));
    const internal = await subscribe(bearer(demo.operations.token));
    await connected(internal);
    // Cadence hears nothing here: its socket is open once its connection_init was acknowledged.
    await Promise.all([subscriber.acknowledged, bystander.acknowledged]);
    const { body } = await gateway.request(demo.operations.token, SUSPEND, { p: demo.cadence.globalId });
    expect(body.data.suspendPartner.status).toBe('SUSPENDED');
    expect(await subscriber.closed).toEqual({ code: 4403, reason: 'partner is suspended' });
    const refused = await subscribe(bearer(demo.cadence.token));
    expect(await refused.closed).toEqual({ code: 4403, reason: 'partner is suspended' });
    const [suspension] = (await internal.waitFor(2)).slice(-1);
    expect(suspension).toMatchObject({ type: 'PARTNER_SUSPENDED', payload: { status: 'SUSPENDED', reason: 'unpaid invoices' } });

    await gateway.request(demo.operations.token, REINSTATE, { p: demo.cadence.globalId });
    const reinstated = await subscribe(bearer(demo.cadence.token));
    await gateway.request(demo.operations.token, SUSPEND, { p: demo.cadence.globalId });
    expect(await reinstated.closed).toEqual({ code: 4403, reason: 'partner is suspended' });

    let bystanderClosed = false;
    void bystander.closed.then(() => (bystanderClosed = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(bystanderClosed).toBe(false);
  });
});
