import { toGlobalId } from '../../src/common/relay/global-id';
import type { TestDatabase } from '../support/database';
import { startDemoGateway, stopDemoGateway } from '../support/demo-gateway';
import { countRows, type Demo } from '../support/demo';
import { tokenFor, type TestGateway } from '../support/gateway';
import { holdingTransaction, lockWaiters, waitUntil } from '../support/locks';

let db: TestDatabase;
let gateway: TestGateway;
let demo: Demo;

const GRANT = `mutation($input: GrantMandateInput!) {
  grantMandate(input: $input) { id version active permissions label { name } distributor { name } }
}`;
const REVOKE = `mutation($m: ID!, $v: Int!) { revokeMandate(input: {mandate: $m, expectedVersion: $v}) { version active revokedAt } }`;

beforeAll(async () => ({ db, gateway, demo } = await startDemoGateway()));
afterAll(() => stopDemoGateway({ db, gateway }));

async function grant(token: string, input: Record<string, unknown>) {
  return gateway.request(token, GRANT, { input: { distributor: demo.tidewater.globalId, permissions: ['READ_CATALOG'], ...input } });
}

describe('mandates', () => {
  it('a label grants a mandate for itself, recorded with its event in the outbox', async () => {
    const events = await countRows(db.dataSource, 'change_event');
    const { body } = await grant(demo.meridian.token, { permissions: ['READ_CATALOG', 'NEGOTIATE', 'READ_CATALOG'] });
    expect(body.data.grantMandate).toMatchObject({
      version: 1,
      active: true,
      permissions: ['READ_CATALOG', 'NEGOTIATE'],
      label: { name: 'Meridian Music' },
      distributor: { name: 'Tidewater Distribution' },
    });
    const [event] = await db.dataSource.query(`SELECT type, actor_id, partner_ids FROM change_event ORDER BY id DESC LIMIT 1`);
    expect(event).toEqual({ type: 'MANDATE_GRANTED', actor_id: demo.meridian.id, partner_ids: expect.arrayContaining([demo.meridian.id, demo.tidewater.id]) });
    expect(await countRows(db.dataSource, 'change_event')).toBe(events + 1);
  });

  it('the distributor then sees the label catalog; the mandate is visible to both parties and internal only', async () => {
    const { body } = await grant(demo.meridian.token, {});
    const id = body.data.grantMandate.id;
    const works = await gateway.request(demo.tidewater.token, `{ works(first: 100) { edges { node { isrc } } } }`);
    expect(works.body.data.works.edges.length).toBe(50);
    const read = (token: string) => gateway.request(token, `query($id: ID!) { node(id: $id) { ... on Mandate { permissions } } }`, { id });
    for (const partner of [demo.meridian, demo.tidewater, demo.operations]) {
      expect((await read(partner.token)).body.data.node).toEqual({ permissions: ['READ_CATALOG'] });
    }
    for (const partner of [demo.aurora, demo.resonance]) expect((await read(partner.token)).body.data.node).toBeNull();
  });

  it.each([
    ['a label granting for another label', () => grant(demo.aurora.token, { label: demo.meridian.globalId }), 'FORBIDDEN'],
    ['an AI partner', () => grant(demo.resonance.token, {}), 'FORBIDDEN'],
    ['a distributor', () => grant(demo.tidewater.token, {}), 'FORBIDDEN'],
    ['internal without naming the label', () => grant(demo.operations.token, {}), 'BAD_USER_INPUT'],
    ['a grantee that is not a distributor', () => grant(demo.aurora.token, { distributor: demo.resonance.globalId }), 'BAD_USER_INPUT'],
    ['no permission', () => grant(demo.aurora.token, { permissions: [] }), 'BAD_USER_INPUT'],
    ['an end before the start', () => grant(demo.aurora.token, { validFrom: '2027-01-01T00:00:00Z', validUntil: '2026-01-01T00:00:00Z' }), 'BAD_USER_INPUT'],
    ['a malformed id', () => grant(demo.aurora.token, { distributor: 'nope' }), 'BAD_USER_INPUT'],
  ])('refuses %s and writes nothing', async (_name, call, code) => {
    const [mandates, events] = [await countRows(db.dataSource, 'mandate'), await countRows(db.dataSource, 'change_event')];
    const { body } = await call();
    expect(body.errors?.[0].extensions.code).toBe(code);
    expect(await countRows(db.dataSource, 'mandate')).toBe(mandates);
    expect(await countRows(db.dataSource, 'change_event')).toBe(events);
  });

  it('revocation takes the version read: stale gets CONFLICT, twice gets INVALID_TRANSITION, the distributor gets FORBIDDEN', async () => {
    const { body } = await grant(demo.aurora.token, { permissions: ['MANAGE_CONSENT'] });
    const id = body.data.grantMandate.id;
    expect((await gateway.request(demo.tidewater.token, REVOKE, { m: id, v: 1 })).body.errors[0].extensions.code).toBe('FORBIDDEN');
    expect((await gateway.request(demo.aurora.token, REVOKE, { m: id, v: 7 })).body.errors[0].extensions).toMatchObject({
      code: 'CONFLICT',
      currentVersion: 1,
    });
    const revoked = await gateway.request(demo.aurora.token, REVOKE, { m: id, v: 1 });
    expect(revoked.body.data.revokeMandate).toMatchObject({ version: 2, active: false });
    expect((await gateway.request(demo.aurora.token, REVOKE, { m: id, v: 2 })).body.errors[0].extensions.code).toBe('INVALID_TRANSITION');
  });

  it('of 10 concurrent revocations with the same version exactly one wins', async () => {
    const { body } = await grant(demo.aurora.token, { permissions: ['READ_CATALOG'] });
    const id = body.data.grantMandate.id;
    const results = await Promise.all(Array.from({ length: 10 }, () => gateway.request(demo.aurora.token, REVOKE, { m: id, v: 1 })));
    expect(results.filter((r) => !r.body.errors)).toHaveLength(1);
    expect(results.filter((r) => r.body.errors?.[0].extensions.code === 'CONFLICT')).toHaveLength(9);
    const [{ count }] = await db.dataSource.query(
      `SELECT count(*)::int AS count FROM change_event WHERE type = 'MANDATE_REVOKED' AND entity_id = $1`,
      [id],
    );
    expect(count).toBe(1);
  });

  it('a write in flight when its mandate is revoked commits before the revocation; one started meanwhile is refused', async () => {
    const [{ id: distributorId }] = await db.dataSource.query(
      `INSERT INTO partner (name, type) VALUES ('Crosscurrent Distribution', 'DISTRIBUTOR') RETURNING id`,
    );
    const granted = await gateway.request(demo.aurora.token, GRANT, {
      input: { distributor: toGlobalId('Partner', distributorId), permissions: ['MANAGE_CONSENT'] },
    });
    const mandate = granted.body.data.grantMandate;
    // The distributor's recordConsent starts, then waits for this transaction holding the work.
    const holder = await holdingTransaction(db.dataSource, `SELECT 1 FROM work WHERE isrc = 'QZAUR2600001' FOR UPDATE`, []);
    const declaration = {
      state: 'GRANTED',
      useTypes: ['TRAINING'],
      territories: ['WORLD'],
      grantedBy: { name: 'Nova Vale' },
      evidence: { method: 'SIGNED_DOCUMENT' },
    };
    const recordConsent = (works: string[]) =>
      gateway.request(tokenFor(distributorId), `mutation($input: RecordConsentInput!) { recordConsent(input: $input) { records { recordedAt } } }`, {
        input: { ...declaration, works },
      });
    const write = recordConsent(['QZAUR2600001']);
    await waitUntil(async () => (await lockWaiters(db.dataSource)) === 1);
    let revoked = false;
    const revoke = gateway.request(demo.aurora.token, REVOKE, { m: mandate.id, v: mandate.version }).then((response) => {
      revoked = true;
      return response;
    });
    // The revocation waits for the write, which acts on the mandate (before the fix it went through).
    await waitUntil(async () => revoked || (await lockWaiters(db.dataSource)) === 2);
    // A write starting now queues behind the revocation: a stream of writes cannot hold it off.
    let laterDone = false;
    const later = recordConsent(['QZAUR2600003']).then((response) => {
      laterDone = true;
      return response;
    });
    await waitUntil(async () => laterDone || (await lockWaiters(db.dataSource)) === 3);
    await holder.rollbackTransaction();
    await holder.release();
    const [written, revocation, refused] = await Promise.all([write, revoke, later]);
    expect(written.body.errors).toBeUndefined();
    expect(revocation.body.errors).toBeUndefined();
    // Refused as for any work of a label it holds no mandate for: as an unknown one.
    expect(refused.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', item: 'QZAUR2600003' });
    const recordedAt = new Date(written.body.data.recordConsent.records[0].recordedAt);
    expect(recordedAt.getTime()).toBeLessThan(new Date(revocation.body.data.revokeMandate.revokedAt).getTime());
  });

  it('only internal may suspend a partner', async () => {
    for (const partner of [demo.aurora, demo.tidewater, demo.resonance]) {
      const { body } = await gateway.request(partner.token, `mutation($p: ID!) { suspendPartner(input: {partner: $p, reason: "x"}) { status } }`, {
        p: demo.cadence.globalId,
      });
      expect(body.errors?.[0].extensions.code).toBe('FORBIDDEN');
    }
  });
});
