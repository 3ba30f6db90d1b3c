import { fromGlobalId, toGlobalId } from '../../src/common/relay/global-id';
import { readOnlyDistributorFor } from '../support/agreements';
import { insertAgreement } from '../support/agreements-fixtures';
import { insertArtists, insertWork } from '../support/catalog-fixtures';
import type { TestDatabase } from '../support/database';
import { startDemoGateway, stopDemoGateway } from '../support/demo-gateway';
import { countRows, type Demo } from '../support/demo';
import type { TestGateway, Json } from '../support/gateway';
import { holdingTransaction, lockWaiters, waitUntil } from '../support/locks';
import { DECIDE } from './decide-query';

let db: TestDatabase;
let gateway: TestGateway;
let demo: Demo;

// Demo catalog: odd numbers are Aurora's (QZAUR…), even ones Meridian's (QZMER…); work 8 is co-owned (Aurora 60%).
const AURORA_WORK = 'QZAUR2600001';
const AURORA_OTHER = 'QZAUR2600003';
const MERIDIAN_WORK = 'QZMER2600002';
const CO_OWNED = 'QZMER2600008';

const RECORD = `mutation($input: RecordConsentInput!) {
  recordConsent(input: $input) {
    records { id scope state useTypes territories excludedTerritories validFrom validUntil recordedAt
      work { isrc } artist { name } grantedBy { name isni } evidence { method documentHash url } recordedBy { name } }
  }
}`;
const WITHDRAW = `mutation($input: WithdrawConsentInput!) { withdrawConsent(input: $input) { records { id state validFrom work { isrc } } } }`;

const DECLARATION = {
  useTypes: ['TRAINING'],
  territories: ['WORLD'],
  grantedBy: { name: 'Nova Vale', isni: '0000 0001 2103 2683' },
  evidence: { method: 'SIGNED_DOCUMENT', documentHash: 'AB'.repeat(32), url: 'https://evidence.example/consent/1' },
};

function record(token: string, input: Record<string, unknown>) {
  return gateway.request(token, RECORD, { input: { ...DECLARATION, state: 'GRANTED', ...input } });
}

async function mainArtistOf(isrc: string): Promise<{ id: string; name: string }> {
  const { body } = await gateway.request(demo.operations.token, `query($isrc: ISRC!) { work(isrc: $isrc) { artists { role artist { id name } } } }`, {
    isrc,
  });
  return body.data.work.artists.find((a: Json) => a.role === 'MAIN').artist;
}

async function decide(isrc: string) {
  const { body } = await gateway.request(demo.resonance.token, DECIDE, { isrcs: [isrc], use: 'TRAINING', territory: 'FR' });
  return body.data.consentDecisions.decisions[0];
}

async function writes() {
  return { records: await countRows(db.dataSource, 'consent_record'), events: await countRows(db.dataSource, 'change_event') };
}

beforeAll(async () => {
  ({ db, gateway, demo } = await startDemoGateway());
  await insertAgreement(db.dataSource, { licensor: demo.aurora.id, licensee: demo.resonance.id });
  await insertAgreement(db.dataSource, { licensor: demo.meridian.id, licensee: demo.resonance.id });
});
afterAll(() => stopDemoGateway({ db, gateway }));

describe('recordConsent', () => {
  it('a label records a grant for its works, normalized, and the decision follows', async () => {
    expect((await decide(AURORA_WORK)).reasons).toEqual(['NO_CONSENT']);
    const { body } = await record(demo.aurora.token, { works: ['qz-aur-26-00001'], validUntil: '2099-01-01T00:00:00Z' });
    expect(body.errors).toBeUndefined();
    const [written] = body.data.recordConsent.records;
    expect(written).toMatchObject({
      scope: 'WORK',
      state: 'GRANTED',
      useTypes: ['TRAINING'],
      territories: ['WORLD'],
      excludedTerritories: [],
      validUntil: '2099-01-01T00:00:00.000Z',
      work: { isrc: AURORA_WORK },
      artist: null,
      grantedBy: { name: 'Nova Vale', isni: '0000000121032683' },
      evidence: { method: 'SIGNED_DOCUMENT', documentHash: 'ab'.repeat(32), url: 'https://evidence.example/consent/1' },
      recordedBy: { name: 'Aurora Records' },
    });
    expect(written.validFrom).toBe(written.recordedAt);
    expect(await decide(AURORA_WORK)).toMatchObject({ decision: 'ALLOW', consentRecords: [written.id] });
  });

  it('writes one event per record, for the owners and the AI partners licensing the work, without evidence', async () => {
    const { body } = await record(demo.aurora.token, { works: [CO_OWNED], state: 'REFUSED' });
    const [event] = await db.dataSource.query(`SELECT type, entity_id, actor_id, partner_ids, payload FROM change_event ORDER BY id DESC LIMIT 1`);
    expect(event).toMatchObject({ type: 'CONSENT_RECORDED', entity_id: body.data.recordConsent.records[0].id, actor_id: demo.aurora.id });
    expect([...event.partner_ids].sort()).toEqual([demo.aurora.id, demo.meridian.id, demo.resonance.id].sort());
    expect(event.payload).toMatchObject({ scope: 'WORK', isrc: CO_OWNED, state: 'REFUSED', useTypes: ['TRAINING'] });
    expect(JSON.stringify(event.payload)).not.toMatch(/Nova Vale|evidence|SIGNED_DOCUMENT/);
  });

  it('for an artist, covers the works where the artist is MAIN and tells their owners and licensees', async () => {
    const artist = await mainArtistOf(AURORA_OTHER);
    const { body } = await record(demo.aurora.token, { artists: [artist.id] });
    expect(body.data.recordConsent.records[0]).toMatchObject({ scope: 'ARTIST', artist: { name: artist.name }, work: null });
    const [event] = await db.dataSource.query(`SELECT partner_ids, payload FROM change_event ORDER BY id DESC LIMIT 1`);
    expect(event.payload).toMatchObject({ scope: 'ARTIST', artist: artist.id });
    expect(event.partner_ids).toEqual(expect.arrayContaining([demo.aurora.id, demo.resonance.id]));
    expect(event.partner_ids).not.toContain(demo.cadence.id);
  });

  it('either owner of a co-owned work may record for it', async () => {
    const { body } = await record(demo.meridian.token, { works: [CO_OWNED] });
    expect(body.errors).toBeUndefined();
  });

  it('a label may not record for a work it does not own, and nothing of the call is written', async () => {
    const before = await writes();
    const { body } = await record(demo.meridian.token, { works: [MERIDIAN_WORK, AURORA_WORK] });
    expect(body.errors[0].extensions).toMatchObject({ code: 'FORBIDDEN', field: 'works', index: 1, item: AURORA_WORK });
    expect(body.errors[0].message).toContain(`works[1] (${AURORA_WORK})`);
    expect(await writes()).toEqual(before);
  });

  it('a label may not record for an artist who is MAIN only on other labels’ works, even if FEATURED on its own', async () => {
    const [artist] = await insertArtists(db.dataSource, 1);
    await insertWork(db.dataSource, [[demo.meridian.id, 10000]], [artist]);
    await insertWork(db.dataSource, [[demo.aurora.id, 10000]], 1, [artist]);
    const before = await writes();
    const { body } = await record(demo.aurora.token, { artists: [toGlobalId('Artist', artist)] });
    expect(body.errors[0].extensions).toMatchObject({ code: 'FORBIDDEN', field: 'artists', index: 0 });
    expect(await writes()).toEqual(before);
    const allowed = await record(demo.meridian.token, { artists: [toGlobalId('Artist', artist)] });
    expect(allowed.body.errors).toBeUndefined();
  });

  it('unknown works and artists are BAD_USER_INPUT naming each, and nothing is written', async () => {
    const before = await writes();
    const { body } = await record(demo.aurora.token, {
      works: [AURORA_WORK, 'QZAUR2699999'],
      artists: ['QXJ0aXN0OjAwMDAwMDAwLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMA'],
    });
    expect(body.errors[0].message).toBe('works[1] (QZAUR2699999): no work with this ISRC');
    expect(body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'works', index: 1 });
    expect(await writes()).toEqual(before);
  });

  it.each([
    [{ works: [] }, 'works: name at least one work or artist'],
    [{ works: [AURORA_WORK, 'qzaur2600001'] }, `works[1] (${AURORA_WORK}): duplicate of works[0]`],
    [{ works: [AURORA_WORK], artists: ['not-an-id'] }, 'artists[0] (not-an-id): not an artist id'],
    [{ works: [AURORA_WORK], useTypes: [] }, 'useTypes: name at least one use type'],
    [{ works: [AURORA_WORK], territories: ['WORLD', 'FR'] }, 'territories: WORLD already covers every country; list exceptions in excludedTerritories'],
    [{ works: [AURORA_WORK], territories: ['FR'], excludedTerritories: ['US'] }, 'excludedTerritories: exclusions apply to WORLD only'],
    [{ works: [AURORA_WORK], validFrom: '2030-01-01T00:00:00Z', validUntil: '2029-01-01T00:00:00Z' }, 'validUntil: must be after validFrom (or now, when validFrom is left out)'],
    [{ works: [AURORA_WORK], evidence: { method: 'SIGNED_DOCUMENT', documentHash: 'abc' } }, 'evidence.documentHash: expected a SHA-256 as 64 hex digits'],
    [{ works: [AURORA_WORK], evidence: { method: 'ARTIST_PORTAL', url: 'http://plain.example' } }, 'evidence.url: expected an https URL'],
    [{ works: [AURORA_WORK], grantedBy: { name: '  ' } }, 'grantedBy.name: must not be empty'],
  ])('refuses bad input %j: "%s"', async (input, message) => {
    const before = await writes();
    const { body } = await record(demo.aurora.token, input);
    expect(body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(body.errors[0].message).toBe(message);
    expect(await writes()).toEqual(before);
  });

  it('a validUntil the database clock has passed when it records (validFrom left out) is BAD_USER_INPUT, and nothing is written', async () => {
    // Another transaction holds the work, so the call waits in the database until after validUntil: the
    // gateway's clock judged validUntil to be ahead, the database's clock (the moment of recording) does not.
    const holder = await holdingTransaction(db.dataSource, `SELECT 1 FROM work WHERE isrc = $1 FOR UPDATE`, [AURORA_OTHER]);
    const before = await writes();
    const validUntil = new Date(Date.now() + 1_000);
    const call = record(demo.aurora.token, { works: [AURORA_OTHER], validUntil: validUntil.toISOString() });
    await waitUntil(async () => (await lockWaiters(db.dataSource)) > 0);
    await waitUntil(async () => Date.now() > validUntil.getTime() + 50);
    await holder.commitTransaction();
    await holder.release();

    const { status, body } = await call;
    expect(status).not.toBe(500);
    expect(body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'validUntil' });
    expect(body.errors[0].message).toBe('validUntil: must be after validFrom (or now, when validFrom is left out)');
    expect(await writes()).toEqual(before);
  });

  it('a distributor records for the label it holds MANAGE_CONSENT for, and not for others', async () => {
    const allowed = await record(demo.tidewater.token, { works: [AURORA_OTHER] });
    expect(allowed.body.data.recordConsent.records[0].recordedBy).toEqual({ name: 'Tidewater Distribution' });
    // A label it holds a mandate for, without MANAGE_CONSENT: FORBIDDEN.
    const readOnly = await readOnlyDistributorFor(db.dataSource, demo.meridian.id);
    const refused = await record(readOnly.token, { works: [MERIDIAN_WORK] });
    expect(refused.body.errors[0].extensions).toMatchObject({ code: 'FORBIDDEN', item: MERIDIAN_WORK });
  });

  it("a distributor learns nothing of a catalog it holds no mandate for: its works are answered as unknown ones (found by a probe)", async () => {
    const unknown = await record(demo.tidewater.token, { works: ['QZZZZ2699999'] });
    const hidden = await record(demo.tidewater.token, { works: [MERIDIAN_WORK] });
    const answer = (body: Json, isrc: string) => JSON.stringify(body.errors).replaceAll(isrc, '<isrc>');
    expect(answer(hidden.body, MERIDIAN_WORK)).toBe(answer(unknown.body, 'QZZZZ2699999'));
    expect(hidden.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('an AI partner cannot record consent', async () => {
    const { body } = await record(demo.resonance.token, { works: [AURORA_WORK] });
    expect(body.errors[0].extensions.code).toBe('FORBIDDEN');
  });

  it('internal may record for any work (an artist reaching Accord directly is never stuck)', async () => {
    const { body } = await record(demo.operations.token, { works: [MERIDIAN_WORK], state: 'REFUSED' });
    expect(body.data.recordConsent.records[0]).toMatchObject({ state: 'REFUSED', recordedBy: { name: 'Accord Operations' } });
  });
});

describe('withdrawConsent', () => {
  it('writes a WITHDRAWN record, leaves the grant as it was, and the very next decision is DENY', async () => {
    const granted = await record(demo.aurora.token, { works: ['QZAUR2600005'] });
    const grant = granted.body.data.recordConsent.records[0];
    expect((await decide('QZAUR2600005')).decision).toBe('ALLOW');

    const { body } = await gateway.request(demo.aurora.token, WITHDRAW, { input: { ...DECLARATION, works: ['QZAUR2600005'] } });
    expect(body.errors).toBeUndefined();
    const [withdrawal] = body.data.withdrawConsent.records;
    expect(withdrawal).toMatchObject({ state: 'WITHDRAWN', work: { isrc: 'QZAUR2600005' } });
    expect(await decide('QZAUR2600005')).toMatchObject({ decision: 'DENY', reasons: ['CONSENT_WITHDRAWN'], consentRecords: [withdrawal.id] });

    const [kept] = await db.dataSource.query(`SELECT state, valid_until FROM consent_record WHERE id = $1`, [fromGlobalId(grant.id).id]);
    expect(kept).toEqual({ state: 'GRANTED', valid_until: null });
    const [event] = await db.dataSource.query(`SELECT type FROM change_event ORDER BY id DESC LIMIT 1`);
    expect(event.type).toBe('CONSENT_WITHDRAWN');
  });

  it('cannot take effect in the past', async () => {
    const { body } = await gateway.request(demo.aurora.token, WITHDRAW, {
      input: { ...DECLARATION, works: [AURORA_WORK], effectiveFrom: '2020-01-01T00:00:00Z' },
    });
    expect(body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'effectiveFrom' });
  });

  it('the table itself refuses to edit or delete history', async () => {
    await expect(db.dataSource.query(`UPDATE consent_record SET state = 'GRANTED'`)).rejects.toThrow(/append-only: UPDATE refused/);
    await expect(db.dataSource.query(`DELETE FROM consent_record`)).rejects.toThrow(/append-only: DELETE refused/);
  });
});

describe('consent history', () => {
  const WORK_HISTORY = `query($isrc: ISRC!, $after: String) { work(isrc: $isrc) {
    consentHistory(first: 2, after: $after) { edges { cursor node { id scope state grantedBy { name } evidence { method } } } pageInfo { hasNextPage endCursor } }
  } }`;

  it('owners read a work’s history (WORK and MAIN-artist records), newest first, a page at a time', async () => {
    const artist = await mainArtistOf('QZAUR2600007');
    const written = [];
    for (const input of [{ works: ['QZAUR2600007'] }, { artists: [artist.id], state: 'REFUSED' }, { works: ['QZAUR2600007'], state: 'REFUSED' }]) {
      written.push((await record(demo.aurora.token, input)).body.data.recordConsent.records[0].id);
    }
    const ids: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 5; page += 1) {
      const { body }: Json = await gateway.request(demo.aurora.token, WORK_HISTORY, { isrc: 'QZAUR2600007', after });
      expect(body.errors).toBeUndefined();
      ids.push(...body.data.work.consentHistory.edges.map((e: Json) => e.node.id));
      if (!body.data.work.consentHistory.pageInfo.hasNextPage) break;
      after = body.data.work.consentHistory.pageInfo.endCursor;
    }
    expect(ids.slice(0, 3)).toEqual([...written].reverse());
  });

  it('a mandated distributor and internal read it too', async () => {
    for (const token of [demo.tidewater.token, demo.operations.token]) {
      const { body } = await gateway.request(token, WORK_HISTORY, { isrc: 'QZAUR2600007' });
      expect(body.errors).toBeUndefined();
      expect(body.data.work.consentHistory.edges.length).toBe(2);
    }
  });

  it('an AI partner never sees the records: null with FORBIDDEN at the path', async () => {
    const { body } = await gateway.request(demo.resonance.token, WORK_HISTORY, { isrc: 'QZAUR2600007' });
    expect(body.data.work).toEqual({ consentHistory: null });
    expect(body.errors.map((e: Json) => [e.extensions.code, e.path])).toEqual([['FORBIDDEN', ['work', 'consentHistory']]]);
  });

  it('another label sees neither the work’s nor the artist’s history', async () => {
    const { body } = await gateway.request(demo.meridian.token, WORK_HISTORY, { isrc: 'QZAUR2600007' });
    expect(body.data.work.consentHistory).toBeNull();
    expect(body.errors[0].extensions.code).toBe('FORBIDDEN');

    const [artist] = await insertArtists(db.dataSource, 1);
    await insertWork(db.dataSource, [[demo.aurora.id, 10000]], [artist]);
    const byArtist = await gateway.request(
      demo.meridian.token,
      `query($id: ID!) { node(id: $id) { ... on Artist { consentHistory { edges { node { id } } } } } }`,
      { id: toGlobalId('Artist', artist) },
    );
    expect(byArtist.body.data.node.consentHistory).toBeNull();
    expect(byArtist.body.errors.map((e: Json) => [e.extensions.code, e.path])).toEqual([['FORBIDDEN', ['node', 'consentHistory']]]);
  });

  it('node(id:) returns a record to those who may read its history, and null to anyone else', async () => {
    const { body } = await record(demo.aurora.token, { works: ['QZAUR2600009'] });
    const id = body.data.recordConsent.records[0].id;
    const query = `query($id: ID!) { node(id: $id) { id ... on ConsentRecord { state } } }`;
    for (const token of [demo.aurora.token, demo.tidewater.token, demo.operations.token]) {
      expect((await gateway.request(token, query, { id })).body.data.node).toEqual({ id, state: 'GRANTED' });
    }
    for (const token of [demo.meridian.token, demo.resonance.token]) {
      expect((await gateway.request(token, query, { id })).body.data.node).toBeNull();
    }
  });

  it('the owner reads an artist’s history; an AI partner gets FORBIDDEN', async () => {
    const artist = await mainArtistOf('QZAUR2600007');
    const query = `query($id: ID!) { node(id: $id) { ... on Artist { consentHistory { edges { node { scope state } } } } } }`;
    const owner = await gateway.request(demo.aurora.token, query, { id: artist.id });
    expect(owner.body.errors).toBeUndefined();
    expect(owner.body.data.node.consentHistory.edges[0].node).toEqual({ scope: 'ARTIST', state: 'REFUSED' });
    const ai = await gateway.request(demo.resonance.token, query, { id: artist.id });
    expect(ai.body.data.node.consentHistory).toBeNull();
    expect(ai.body.errors[0].extensions.code).toBe('FORBIDDEN');
  });
});
