import { agreementCall, readOnlyDistributorFor, termsInput } from '../support/agreements';
import type { TestDatabase } from '../support/database';
import { startDemoGateway, stopDemoGateway } from '../support/demo-gateway';
import { countRows, type Demo, type DemoPartner } from '../support/demo';
import type { TestGateway, Json } from '../support/gateway';

let db: TestDatabase;
let gateway: TestGateway;
let demo: Demo;
let readOnlyDistributor: DemoPartner;

const READ = `query($id: ID!) { agreement(id: $id) { state version
  terms { version status compensation { model ratePerUnit } }
  pendingTerms { version status useTypes }
  versions { version status acceptedAt acceptedBy { name } proposedBy { name } draftedBy { name } }
  history { version termsVersion transition fromState toState actor { name } actingFor { name } reason } } }`;

const uuidOf = (globalId: string) => Buffer.from(globalId, 'base64url').toString().split(':')[1];

async function draft(token = demo.aurora.token, extra: Record<string, unknown> = {}) {
  const result = await agreementCall(gateway, token, 'createAgreement', { licensee: demo.resonance.globalId, terms: termsInput(), ...extra });
  if (!result.agreement) throw new Error(result.error?.message);
  return result.agreement;
}

async function activate(token = demo.aurora.token) {
  const created = await draft(token);
  const proposed = await agreementCall(gateway, token, 'proposeAgreement', { agreement: created.id, expectedVersion: created.version });
  const accepted = await agreementCall(gateway, demo.resonance.token, 'acceptAgreement', {
    agreement: created.id,
    expectedVersion: proposed.agreement.version,
  });
  return accepted.agreement;
}

beforeAll(async () => {
  ({ db, gateway, demo } = await startDemoGateway());
  readOnlyDistributor = await readOnlyDistributorFor(db.dataSource, demo.aurora.id);
});
afterAll(() => stopDemoGateway({ db, gateway }));

describe('drafting, proposing and accepting', () => {
  it('records both sides: who proposed and who accepted which version, with every transition in the history', async () => {
    const created = await draft();
    expect(created).toMatchObject({ state: 'DRAFT', version: 1, terms: null, licensor: { name: 'Aurora Records' }, licensee: { name: 'Resonance AI' } });
    expect(created.pendingTerms).toEqual({ version: 1, status: 'DRAFT', useTypes: ['TRAINING', 'FINE_TUNING'] });

    const hidden = await gateway.request(demo.resonance.token, READ, { id: created.id });
    expect(hidden.body.data.agreement).toBeNull();

    const proposed = await agreementCall(gateway, demo.aurora.token, 'proposeAgreement', { agreement: created.id, expectedVersion: 1 });
    expect(proposed.agreement.state).toBe('PROPOSED');
    const accepted = await agreementCall(gateway, demo.resonance.token, 'acceptAgreement', { agreement: created.id, expectedVersion: 2 });
    expect(accepted.agreement).toMatchObject({ state: 'ACTIVE', version: 3, pendingTerms: null });
    expect(accepted.agreement.terms).toMatchObject({
      version: 1,
      status: 'IN_FORCE',
      territories: ['WORLD'],
      excludedTerritories: ['KP'],
      compensation: { model: 'PER_USE', currency: 'EUR', ratePerUnit: '0.0125', minimumGuarantee: { amount: { amount: '1000.00', minorUnits: '100000' }, period: 'MONTH' } },
    });

    const { body } = await gateway.request(demo.resonance.token, READ, { id: created.id });
    expect(body.data.agreement.versions).toEqual([
      { version: 1, status: 'IN_FORCE', acceptedAt: expect.any(String), acceptedBy: { name: 'Resonance AI' }, proposedBy: { name: 'Aurora Records' }, draftedBy: { name: 'Aurora Records' } },
    ]);
    expect(body.data.agreement.history).toEqual([
      { version: 1, termsVersion: 1, transition: 'CREATED', fromState: null, toState: 'DRAFT', actor: { name: 'Aurora Records' }, actingFor: null, reason: null },
      { version: 2, termsVersion: 1, transition: 'PROPOSED', fromState: 'DRAFT', toState: 'PROPOSED', actor: { name: 'Aurora Records' }, actingFor: null, reason: null },
      { version: 3, termsVersion: 1, transition: 'ACCEPTED', fromState: 'PROPOSED', toState: 'ACTIVE', actor: { name: 'Resonance AI' }, actingFor: null, reason: null },
    ]);
  });

  it("the licensee never sees the licensor side's unproposed drafts among the versions", async () => {
    const created = await draft();
    const edited = await agreementCall(gateway, demo.aurora.token, 'updateAgreementDraft', {
      agreement: created.id,
      expectedVersion: 1,
      terms: termsInput({ territories: ['FR'], excludedTerritories: [] }),
    });
    await agreementCall(gateway, demo.aurora.token, 'proposeAgreement', { agreement: created.id, expectedVersion: edited.agreement.version });
    const versions = async (token: string) =>
      (await gateway.request(token, READ, { id: created.id })).body.data.agreement.versions.map((v: Json) => [v.version, v.status]);
    expect(await versions(demo.aurora.token)).toEqual([
      [1, 'DRAFT'],
      [2, 'PROPOSED'],
    ]);
    expect(await versions(demo.resonance.token)).toEqual([[2, 'PROPOSED']]);
  });

  it('a distributor with NEGOTIATE drafts for the label and is recorded as acting for it', async () => {
    const created = await draft(demo.tidewater.token, { licensor: demo.aurora.globalId });
    expect(created).toMatchObject({ licensor: { name: 'Aurora Records' }, actingDistributor: { name: 'Tidewater Distribution' } });
    const { body } = await gateway.request(demo.aurora.token, READ, { id: created.id });
    expect(body.data.agreement.history[0]).toMatchObject({ actor: { name: 'Tidewater Distribution' }, actingFor: { name: 'Aurora Records' } });
  });

  it('every mutation writes its change event in the same transaction; a draft is not announced to the licensee', async () => {
    const before = await countRows(db.dataSource, 'change_event');
    const created = await draft();
    await agreementCall(gateway, demo.aurora.token, 'proposeAgreement', { agreement: created.id, expectedVersion: 1 });
    const events = await db.dataSource.query(`SELECT type, partner_ids FROM change_event WHERE id > $1 ORDER BY id`, [before]);
    expect(events).toEqual([
      { type: 'AGREEMENT_CREATED', partner_ids: [demo.aurora.id] },
      { type: 'AGREEMENT_PROPOSED', partner_ids: expect.arrayContaining([demo.aurora.id, demo.resonance.id]) },
    ]);
  });
});

describe('amendments and expiry', () => {
  it('an amendment leaves the terms in force until the licensee accepts it; every version stays readable', async () => {
    const active = await activate();
    const amended = await agreementCall(gateway, demo.aurora.token, 'amendAgreement', {
      agreement: active.id,
      expectedVersion: active.version,
      terms: termsInput({ useTypes: ['TRAINING'], compensation: { model: 'REVENUE_SHARE', currency: 'USD', bps: 1500 } }),
    });
    expect(amended.agreement.terms).toMatchObject({ version: 1, status: 'IN_FORCE', useTypes: ['TRAINING', 'FINE_TUNING'] });
    expect(amended.agreement.pendingTerms).toEqual({ version: 2, status: 'PROPOSED', useTypes: ['TRAINING'] });
    const accepted = await agreementCall(gateway, demo.resonance.token, 'acceptAgreement', { agreement: active.id, expectedVersion: amended.agreement.version });
    expect(accepted.agreement.terms).toMatchObject({ version: 2, useTypes: ['TRAINING'], compensation: { model: 'REVENUE_SHARE', bps: 1500, currency: 'USD' } });
    const { body } = await gateway.request(demo.aurora.token, READ, { id: active.id });
    expect(body.data.agreement.versions.map((v: Json) => [v.version, v.status])).toEqual([
      [1, 'SUPERSEDED'],
      [2, 'IN_FORCE'],
    ]);
    expect(body.data.agreement.history.map((h: Json) => h.transition)).toEqual(['CREATED', 'PROPOSED', 'ACCEPTED', 'AMENDED', 'AMENDMENT_ACCEPTED']);
  });

  it('reads EXPIRED everywhere once the end of the terms in force has passed, without any job', async () => {
    const active = await activate();
    await db.dataSource.query(
      `UPDATE agreement_terms SET starts_at = now() - interval '2 days', ends_at = now() - interval '1 second' WHERE agreement_id = $1`,
      [uuidOf(active.id)],
    );
    const { body } = await gateway.request(demo.resonance.token, READ, { id: active.id });
    expect(body.data.agreement.state).toBe('EXPIRED');
    const list = await gateway.request(demo.resonance.token, `{ agreements(first: 100, filter: {state: EXPIRED}) { edges { node { id } } } }`);
    expect(list.body.data.agreements.edges.map((e: Json) => e.node.id)).toContain(active.id);
    const stillActive = await gateway.request(demo.resonance.token, `{ agreements(first: 100, filter: {state: ACTIVE}) { edges { node { id } } } }`);
    expect(stillActive.body.data.agreements.edges.map((e: Json) => e.node.id)).not.toContain(active.id);
  });
});

describe('who reads what', () => {
  let auroraDeal: Json;
  let meridianDeal: Json;
  beforeAll(async () => {
    auroraDeal = await activate(demo.aurora.token);
    meridianDeal = await activate(demo.meridian.token);
  });

  const listIds = async (token: string) => {
    const { body } = await gateway.request(token, `{ agreements(first: 100) { edges { node { id } } } }`);
    return body.data.agreements.edges.map((e: Json) => e.node.id);
  };

  it("a label never sees another label's agreements or terms", async () => {
    expect(await listIds(demo.meridian.token)).not.toContain(auroraDeal.id);
    expect(await listIds(demo.meridian.token)).toContain(meridianDeal.id);
    const { body } = await gateway.request(demo.meridian.token, READ, { id: auroraDeal.id });
    expect(body.data.agreement).toBeNull();
  });

  it("an AI partner never sees another AI partner's agreements", async () => {
    expect(await listIds(demo.cadence.token)).toEqual([]);
    const { body } = await gateway.request(demo.cadence.token, READ, { id: auroraDeal.id });
    expect(body.data.agreement).toBeNull();
  });

  it('a distributor with only READ_CATALOG sees the agreement but not its compensation', async () => {
    expect(await listIds(readOnlyDistributor.token)).toContain(auroraDeal.id);
    expect(await listIds(readOnlyDistributor.token)).not.toContain(meridianDeal.id);
    const { body } = await gateway.request(readOnlyDistributor.token, READ, { id: auroraDeal.id });
    expect(body.data.agreement.terms).toEqual({ version: 1, status: 'IN_FORCE', compensation: null });
    expect(body.errors.map((e: Json) => [e.extensions.code, e.path])).toEqual([['FORBIDDEN', ['agreement', 'terms', 'compensation']]]);
  });

  it('the parties and internal see the compensation', async () => {
    for (const token of [demo.aurora.token, demo.tidewater.token, demo.resonance.token, demo.operations.token]) {
      const { body } = await gateway.request(token, READ, { id: auroraDeal.id });
      expect(body.errors).toBeUndefined();
      expect(body.data.agreement.terms.compensation).toEqual({ model: 'PER_USE', ratePerUnit: '0.0125' });
    }
  });

  it('filters by counterparty and use type', async () => {
    const { body } = await gateway.request(
      demo.operations.token,
      `query($p: ID!) { agreements(first: 100, filter: {counterparty: $p, useType: FINE_TUNING}) { edges { node { licensor { name } } } } }`,
      { p: demo.meridian.globalId },
    );
    const licensors = body.data.agreements.edges.map((e: Json) => e.node.licensor.name);
    expect(licensors.length).toBeGreaterThan(0);
    expect(new Set(licensors)).toEqual(new Set(['Meridian Music']));
  });
});

describe('bad input: BAD_USER_INPUT naming the field, nothing written', () => {
  const cases: [string, () => Record<string, unknown>, string][] = [
    ['endsAt before startsAt', () => ({ terms: termsInput({ endsAt: '2025-01-01T00:00:00Z' }) }), 'terms.endsAt'],
    ['no use type', () => ({ terms: termsInput({ useTypes: [] }) }), 'terms.useTypes'],
    ['exclusions without WORLD', () => ({ terms: termsInput({ territories: ['FR'], excludedTerritories: ['DE'] }) }), 'terms.excludedTerritories'],
    ['a negative rate', () => ({ terms: termsInput({ compensation: { model: 'PER_USE', currency: 'EUR', ratePerUnit: '-0.01' } }) }), 'terms.compensation.ratePerUnit'],
    ['an over-precise rate', () => ({ terms: termsInput({ compensation: { model: 'PER_USE', currency: 'EUR', ratePerUnit: '0.0000000000001' } }) }), 'terms.compensation.ratePerUnit'],
    ['a fee finer than the currency', () => ({ terms: termsInput({ compensation: { model: 'FLAT_FEE', currency: 'JPY', fee: '100.5', period: 'MONTH' } }) }), 'terms.compensation.fee'],
    ['bps over 10000', () => ({ terms: termsInput({ compensation: { model: 'REVENUE_SHARE', currency: 'EUR', bps: 10001 } }) }), 'terms.compensation.bps'],
    ['fields of another model', () => ({ terms: termsInput({ compensation: { model: 'REVENUE_SHARE', currency: 'EUR', bps: 100, ratePerUnit: '1' } }) }), 'terms.compensation.ratePerUnit'],
    ['SELECTED with a work of another label', () => ({ terms: termsInput({ catalogScope: 'SELECTED', selectedIsrcs: ['QZAUR2600001', 'QZMER2600002'] }) }), 'terms.selectedIsrcs'],
    ['a licensee that is not an AI partner', () => ({ licensee: demo.meridian.globalId }), 'licensee'],
  ];
  it.each(cases)('%s', async (_name, input, field) => {
    const before = await Promise.all(['agreement', 'agreement_terms', 'change_event'].map((t) => countRows(db.dataSource, t)));
    const result = await agreementCall(gateway, demo.aurora.token, 'createAgreement', { licensee: demo.resonance.globalId, terms: termsInput(), ...input() });
    expect(result.error?.code).toBe('BAD_USER_INPUT');
    expect(result.error?.extensions.field).toBe(field);
    expect(result.error?.message).toContain(field);
    expect(await Promise.all(['agreement', 'agreement_terms', 'change_event'].map((t) => countRows(db.dataSource, t)))).toEqual(before);
  });

  it.each([
    ['an unknown territory code', { territories: ['XX'] }, /"XX" is not a territory/],
    ['an unknown currency', { compensation: { model: 'PER_USE', currency: 'EUX', ratePerUnit: '1' } }, /"EUX" is not an ISO 4217 currency/],
  ])('%s is refused at the edge', async (_name, overrides, message) => {
    const result = await agreementCall(gateway, demo.aurora.token, 'createAgreement', { licensee: demo.resonance.globalId, terms: termsInput(overrides) });
    expect(result.error?.code).toBe('BAD_USER_INPUT');
    expect(result.error?.message).toMatch(message);
  });

  it('accepts a SELECTED scope of works the licensor owns, including a co-owned one', async () => {
    const result = await agreementCall(gateway, demo.aurora.token, 'createAgreement', {
      licensee: demo.resonance.globalId,
      terms: termsInput({ catalogScope: 'SELECTED', selectedIsrcs: ['QZAUR2600001', 'QZMER2600008'] }),
    });
    expect(result.error).toBeUndefined();
  });
});

describe('concurrency', () => {
  it('20 simultaneous draft updates with the same expectedVersion: one wins, 19 get CONFLICT, the winner is stored', async () => {
    const created = await draft();
    const history = await countRows(db.dataSource, 'agreement_history');
    const countries = ['FR', 'DE', 'ES', 'IT', 'NL', 'BE', 'PT', 'SE', 'NO', 'DK', 'FI', 'PL', 'AT', 'CH', 'IE', 'GB', 'US', 'CA', 'JP', 'BR'];
    const results = await Promise.all(
      countries.map((country) =>
        agreementCall(gateway, demo.aurora.token, 'updateAgreementDraft', {
          agreement: created.id,
          expectedVersion: 1,
          terms: termsInput({ territories: [country], excludedTerritories: [] }),
        }),
      ),
    );
    const winners = results.filter((r) => r.agreement);
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => r.error?.code === 'CONFLICT')).toHaveLength(19);
    const winnerTerritory = countries[results.findIndex((r) => r.agreement)];
    const { body } = await gateway.request(demo.aurora.token, `query($id: ID!) { agreement(id: $id) { version pendingTerms { territories } } }`, {
      id: created.id,
    });
    expect(body.data.agreement).toEqual({ version: 2, pendingTerms: { territories: [winnerTerritory] } });
    expect(await countRows(db.dataSource, 'agreement_history')).toBe(history + 1);
  });
});
