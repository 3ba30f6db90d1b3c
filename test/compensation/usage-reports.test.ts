import { monthlyFee } from '../../src/compensation/rating';
import { idOf } from '../../src/common/relay/global-id';
import type { UseDecider } from '../../src/compensation/usage-decider';
import { UsageService } from '../../src/compensation/usage.service';
import { generateReceiptKey, ReceiptSigner } from '../../src/decisions/receipt';
import { createServices } from '../../src/server/services';
import type { WorkInput } from '../../src/works/works.types';
import { agreementCall, termsInput } from '../support/agreements';
import type { TestDatabase } from '../support/database';
import { startDemoGateway, stopDemoGateway } from '../support/demo-gateway';
import { countRows, type Demo } from '../support/demo';
import type { TestGateway, Json } from '../support/gateway';
import { grantConsent } from '../support/consent-fixtures';
import { holdingTransaction, lockWaiters, waitUntil } from '../support/locks';

/**
 * Usage reports end to end, over HTTP: rating under each model with the figures written out, splits of
 * a co-owned work, violations, idempotency, reversal, the minimum guarantee, statements and their CSV.
 * Demo catalog: QZAUR… are Aurora's, QZMER… Meridian's; QZMER2600008 is co-owned, Aurora 60% / Meridian 40%.
 */
let db: TestDatabase;
let gateway: TestGateway;
let demo: Demo;

const AURORA_WORK = 'QZAUR2600001';
const CO_OWNED = 'QZMER2600008';
const NO_CONSENT_WORK = 'QZAUR2600005';

/**
 * Reports fall in the current month, whose statement is still open (the reporter may reverse); the month
 * before is issued. Both follow the clock, so the tests mean the same thing in any month.
 */
const monthStart = (offset: number) => {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1));
};
const iso = (date: Date) => date.toISOString().replace('.000Z', 'Z');
const plusDays = (date: Date, days: number) => new Date(date.getTime() + days * 86_400_000);
const OPEN_PERIOD = monthStart(0).toISOString().slice(0, 7);
const OPEN = { periodStart: iso(monthStart(0)), periodEnd: iso(plusDays(monthStart(1), -1)) };
const ISSUED = { periodStart: iso(monthStart(-1)), periodEnd: iso(monthStart(0)) };

const SUBMIT = `mutation($input: SubmitUsageReportInput!) {
  submitUsageReport(input: $input) {
    id lineCount violationCount statementPeriod reversedAt total { amount minorUnits currency }
    violations { lineNumber isrc useType units reasons }
  }
}`;
const REVERSE = `mutation($input: ReverseUsageReportInput!) { reverseUsageReport(input: $input) { id reversedAt total { amount } } }`;
const STATEMENTS = `query($period: String!, $currency: Currency!) {
  statements(period: $period, currency: $currency) {
    kind period currency issued csvPath total { amount minorUnits } partner { name } agreement { id }
    lines { isrc useType kind units amount { amount minorUnits } }
  }
}`;

async function activeAgreement(licensorToken: string, compensation: Record<string, unknown>): Promise<string> {
  const created = await agreementCall(gateway, licensorToken, 'createAgreement', {
    licensee: demo.resonance.globalId,
    terms: termsInput({ useTypes: ['TRAINING', 'FINE_TUNING'], territories: ['WORLD'], excludedTerritories: [], compensation }),
  });
  const proposed = await agreementCall(gateway, licensorToken, 'proposeAgreement', { agreement: created.agreement.id, expectedVersion: 1 });
  const accepted = await agreementCall(gateway, demo.resonance.token, 'acceptAgreement', {
    agreement: created.agreement.id,
    expectedVersion: proposed.agreement.version,
  });
  if (accepted.error) throw new Error(accepted.error.message);
  return created.agreement.id;
}

function report(agreementId: string, key: string, lines: Record<string, unknown>[], overrides: Record<string, unknown> = {}) {
  return {
    agreementId,
    ...OPEN,
    territory: 'FR',
    idempotencyKey: key,
    lines,
    ...overrides,
  };
}

async function submit(input: Record<string, unknown>, token = demo.resonance.token) {
  const { status, body } = await gateway.request(token, SUBMIT, { input });
  return { status, report: body.data?.submitUsageReport, error: body.errors?.[0] };
}

async function statements(token: string, period: string, currency: string) {
  const { body } = await gateway.request(token, STATEMENTS, { period, currency });
  if (body.errors) throw new Error(body.errors[0].message);
  return body.data.statements;
}

async function reverse(reportId: string) {
  const { body } = await gateway.request(demo.resonance.token, REVERSE, { input: { report: reportId, reason: 'test' } });
  if (body.errors) throw new Error(body.errors[0].message);
}

async function reportTotal(reportId: string): Promise<string> {
  const { body } = await gateway.request(demo.resonance.token, `query($id: ID!) { usageReport(id: $id) { total { minorUnits } } }`, { id: reportId });
  return body.data.usageReport.total.minorUnits;
}

/** What the AI partner owes this month under one EUR agreement, in minor units by kind of entry (kinds netting to zero left out). */
async function owed(agreementId: string): Promise<Record<string, number>> {
  const statement = (await statements(demo.resonance.token, OPEN_PERIOD, 'EUR')).find((s: Json) => s.agreement.id === agreementId);
  const byKind: Record<string, number> = {};
  for (const line of statement?.lines ?? []) byKind[line.kind] = (byKind[line.kind] ?? 0) + Number(line.amount.minorUnits);
  return Object.fromEntries(Object.entries(byKind).filter(([, amount]) => amount !== 0));
}

/** A report's FLAT_FEE entries, net of reversals, per rights holder and work. */
async function feeEntries(reportId: string) {
  return db.dataSource.query(
    `SELECT p.name, w.isrc, max(e.units)::int AS units, sum(e.amount_minor)::int AS amount
     FROM ledger_entry e JOIN partner p ON p.id = e.rightsholder_id LEFT JOIN work w ON w.id = e.work_id
     WHERE e.report_id = $1 AND e.kind = 'FLAT_FEE'
     GROUP BY p.name, w.isrc HAVING sum(e.amount_minor) <> 0 ORDER BY p.name, w.isrc`,
    [idOf('UsageReport', reportId)],
  );
}

let eurAgreement: string;

beforeAll(async () => {
  ({ db, gateway, demo } = await startDemoGateway({ costBudgetPerMinute: 10_000_000 }));
  eurAgreement = await activeAgreement(demo.aurora.token, { model: 'PER_USE', currency: 'EUR', ratePerUnit: '0.0125' });
  // Meridian licenses the same AI partner too, so the co-owned work is allowed.
  await activeAgreement(demo.meridian.token, { model: 'PER_USE', currency: 'EUR', ratePerUnit: '0.0125' });
  await grantConsent(gateway, demo.aurora.token, [AURORA_WORK, CO_OWNED], { useTypes: ['TRAINING', 'FINE_TUNING'], validFrom: '2026-01-01T00:00:00Z' });
});
afterAll(() => stopDemoGateway({ db, gateway }));

describe('submitUsageReport: PER_USE in EUR', () => {
  let reportId: string;

  it('rates allowed lines exactly, splits the co-owned work, and records the denied line as a violation', async () => {
    const events = await countRows(db.dataSource, 'change_event');
    const { report: stored, error } = await submit(
      report(eurAgreement, 'open-1', [
        { isrc: AURORA_WORK, useType: 'TRAINING', units: 1000 },
        { isrc: CO_OWNED, useType: 'TRAINING', units: 333 },
        { isrc: NO_CONSENT_WORK, useType: 'TRAINING', units: 10 },
      ]),
    );
    expect(error).toBeUndefined();
    reportId = stored.id;
    // 1000 × 0.0125 = 12.50 EUR; 333 × 0.0125 = 4.1625 EUR → 416 cents, split 250 / 166 (largest remainder).
    expect(stored).toMatchObject({
      lineCount: 3,
      violationCount: 1,
      statementPeriod: OPEN_PERIOD,
      total: { amount: '16.66', minorUnits: '1666', currency: 'EUR' },
      violations: [{ lineNumber: 2, isrc: NO_CONSENT_WORK, useType: 'TRAINING', units: '10', reasons: ['NO_CONSENT'] }],
    });
    const types = await db.dataSource.query(`SELECT type FROM change_event WHERE id > $1 ORDER BY id`, [events]);
    expect(types.map((t: { type: string }) => t.type)).toEqual(['USAGE_REPORTED', 'USAGE_VIOLATION']);
  });

  it('derives statements per rights holder and per agreement, to the cent', async () => {
    const aurora = await statements(demo.aurora.token, OPEN_PERIOD, 'EUR');
    expect(aurora).toHaveLength(1);
    expect(aurora[0]).toMatchObject({
      kind: 'RECEIVABLE',
      partner: { name: 'Aurora Records' },
      issued: false,
      total: { amount: '15.00' },
      lines: [
        { isrc: AURORA_WORK, useType: 'TRAINING', kind: 'USAGE', units: '1000', amount: { amount: '12.50' } },
        { isrc: CO_OWNED, useType: 'TRAINING', kind: 'USAGE', units: '333', amount: { amount: '2.50' } },
      ],
    });
    const meridian = await statements(demo.meridian.token, OPEN_PERIOD, 'EUR');
    expect(meridian.map((s: Json) => [s.partner.name, s.total.amount])).toEqual([['Meridian Music', '1.66']]);
    const owed = await statements(demo.resonance.token, OPEN_PERIOD, 'EUR');
    expect(owed).toEqual([
      expect.objectContaining({
        kind: 'PAYABLE',
        partner: { name: 'Resonance AI' },
        agreement: { id: eurAgreement },
        total: { amount: '16.66', minorUnits: '1666' },
        lines: [
          { isrc: AURORA_WORK, useType: 'TRAINING', kind: 'USAGE', units: '1000', amount: { amount: '12.50', minorUnits: '1250' } },
          { isrc: CO_OWNED, useType: 'TRAINING', kind: 'USAGE', units: '333', amount: { amount: '4.16', minorUnits: '416' } },
        ],
      }),
    ]);
  });

  it('serves the same statement as CSV, with totals equal to the GraphQL figures', async () => {
    const [statement] = await statements(demo.aurora.token, OPEN_PERIOD, 'EUR');
    const response = await fetch(`${gateway.origin}${statement.csvPath}`, { headers: { authorization: `Bearer ${demo.aurora.token}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/csv');
    const rows = (await response.text()).trim().split('\n').map((line) => line.split(','));
    expect(rows[0]).toEqual(['statement', 'partner_id', 'agreement_id', 'period', 'currency', 'isrc', 'title', 'use_type', 'entry_kind', 'units', 'amount']);
    expect(rows.slice(1).map((r) => [r[5], r[7], r[9], r[10]])).toEqual([
      [AURORA_WORK, 'TRAINING', '1000', '12.50'],
      [CO_OWNED, 'TRAINING', '333', '2.50'],
      ['', '', '', statement.total.amount],
    ]);
    const foreign = await fetch(`${gateway.origin}${statement.csvPath}`, { headers: { authorization: `Bearer ${demo.meridian.token}` } });
    expect((await foreign.text()).trim().split('\n')).toHaveLength(1);
    const anonymous = await fetch(`${gateway.origin}${statement.csvPath}`);
    expect(anonymous.status).toBe(401);
  });

  it('returns the first report for the same key and payload, and refuses the key with another payload', async () => {
    const ledger = await countRows(db.dataSource, 'ledger_entry');
    const lines = [
      { isrc: AURORA_WORK, useType: 'TRAINING', units: 1000 },
      { isrc: CO_OWNED, useType: 'TRAINING', units: 333 },
      { isrc: NO_CONSENT_WORK, useType: 'TRAINING', units: 10 },
    ];
    expect((await submit(report(eurAgreement, 'open-1', lines))).report.id).toBe(reportId);
    const reused = await submit(report(eurAgreement, 'open-1', [{ isrc: AURORA_WORK, useType: 'TRAINING', units: 1 }]));
    expect(reused.error.extensions).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', field: 'idempotencyKey' });
    expect(await countRows(db.dataSource, 'ledger_entry')).toBe(ledger);
  });

  it('stores exactly one report when 20 identical submissions race', async () => {
    const input = report(eurAgreement, 'race', [{ isrc: AURORA_WORK, useType: 'FINE_TUNING', units: 7 }]);
    const results = await Promise.all(Array.from({ length: 20 }, () => submit(input)));
    expect(new Set(results.map((r) => r.report?.id)).size).toBe(1);
    const [{ count }] = await db.dataSource.query(`SELECT count(*)::int AS count FROM usage_report WHERE idempotency_key = 'race'`);
    expect(count).toBe(1);
  });

  it('a reversal writes exact opposite entries: every account of the report nets to zero, nothing is edited', async () => {
    const before = await db.dataSource.query(`SELECT id, amount_minor FROM ledger_entry WHERE report_id = $1 ORDER BY id`, [
      Buffer.from(reportId, 'base64url').toString().split(':')[1],
    ]);
    const { body } = await gateway.request(demo.resonance.token, REVERSE, { input: { report: reportId, reason: 'duplicate upload' } });
    expect(body.data.reverseUsageReport).toMatchObject({ id: reportId, reversedAt: expect.any(String), total: { amount: '0.00' } });
    const uuid = Buffer.from(reportId, 'base64url').toString().split(':')[1];
    const net = await db.dataSource.query(
      `SELECT rightsholder_id, sum(amount_minor)::int AS net FROM ledger_entry WHERE report_id = $1 GROUP BY rightsholder_id`,
      [uuid],
    );
    expect(net.every((row: { net: number }) => row.net === 0)).toBe(true);
    const after = await db.dataSource.query(`SELECT id, amount_minor FROM ledger_entry WHERE report_id = $1 AND reverses_entry_id IS NULL ORDER BY id`, [uuid]);
    expect(after).toEqual(before);
    const again = await gateway.request(demo.resonance.token, REVERSE, { input: { report: reportId, reason: 'again' } });
    expect(again.body.errors[0].extensions.code).toBe('INVALID_TRANSITION');
    await expect(db.dataSource.query(`UPDATE ledger_entry SET amount_minor = 0 WHERE report_id = $1`, [uuid])).rejects.toThrow(/append-only/);
  });
});

describe('the other models, currencies and the minimum guarantee', () => {
  it('REVENUE_SHARE in USD: 15% of the revenue, split 60/40 on the co-owned work', async () => {
    const agreement = await activeAgreement(demo.aurora.token, { model: 'REVENUE_SHARE', currency: 'USD', bps: 1500 });
    const { report: stored } = await submit(report(agreement, 'usd-1', [{ isrc: CO_OWNED, useType: 'TRAINING', units: 10, revenue: '1000.00' }]));
    expect(stored.total).toEqual({ amount: '150.00', minorUnits: '15000', currency: 'USD' });
    const lines = await db.dataSource.query(
      `SELECT p.name, e.amount_minor::int AS amount FROM ledger_entry e JOIN partner p ON p.id = e.rightsholder_id
       WHERE e.currency = 'USD' ORDER BY p.name`,
    );
    expect(lines).toEqual([
      { name: 'Aurora Records', amount: 9000 },
      { name: 'Meridian Music', amount: 6000 },
    ]);
  });

  it("FLAT_FEE in KWD (3 decimals): the quarter's fee for the month, allocated by units, borne by the month's first report only", async () => {
    const agreement = await activeAgreement(demo.aurora.token, { model: 'FLAT_FEE', currency: 'KWD', fee: '300.000', period: 'QUARTER' });
    const { report: first } = await submit(
      report(agreement, 'kwd-1', [
        { isrc: AURORA_WORK, useType: 'TRAINING', units: 1 },
        { isrc: CO_OWNED, useType: 'TRAINING', units: 2 },
      ]),
    );
    // 100.000 KWD this month; weights 1×60%… : Aurora 1×10000 + 2×6000, Meridian 2×4000 of 30000 →
    // 33333.33 + 40000 fils and 26666.67 fils → 33333, 40000, 26667 (the unit left over to the largest remainder).
    expect(first.total).toEqual({ amount: '100.000', minorUnits: '100000', currency: 'KWD' });
    const [aurora] = await statements(demo.aurora.token, OPEN_PERIOD, 'KWD');
    expect(aurora.total.amount).toBe('73.333');
    const [meridian] = await statements(demo.meridian.token, OPEN_PERIOD, 'KWD');
    expect(meridian.total.amount).toBe('26.667');
    const { report: second } = await submit(report(agreement, 'kwd-2', [{ isrc: AURORA_WORK, useType: 'TRAINING', units: 50 }]));
    expect(second.total.minorUnits).toBe('0');
  });

  describe("FLAT_FEE: reversing the report that bears the month's fee", () => {
    const monthlyEur = { model: 'FLAT_FEE', currency: 'EUR', fee: '1000.00', period: 'MONTH' };

    it("moves the fee to the month's earliest remaining live report, allocated over its payable works; a later report bears nothing", async () => {
      const agreement = await activeAgreement(demo.aurora.token, monthlyEur);
      const { report: a } = await submit(report(agreement, 'move-a', [{ isrc: AURORA_WORK, useType: 'TRAINING', units: 10 }]));
      const { report: b } = await submit(
        report(agreement, 'move-b', [
          { isrc: AURORA_WORK, useType: 'TRAINING', units: 1 },
          { isrc: CO_OWNED, useType: 'TRAINING', units: 3 },
          { isrc: NO_CONSENT_WORK, useType: 'TRAINING', units: 100 },
        ]),
      );
      expect([a.total.minorUnits, b.total.minorUnits, b.violationCount]).toEqual(['100000', '0', 1]);
      await reverse(a.id);
      // Meridian's ledger changed (it now gets part of the fee): it hears of the reversal.
      const [reversal] = await db.dataSource.query(
        `SELECT partner_ids FROM change_event WHERE type = 'USAGE_REPORT_REVERSED' AND entity_id = $1`,
        [a.id],
      );
      expect(reversal.partner_ids).toContain(demo.meridian.id);
      // 1000.00 EUR over B's allowed lines by units × share: Aurora 1×10000 + 3×6000, Meridian 3×4000, of 40000.
      expect(await reportTotal(b.id)).toBe('100000');
      expect(await feeEntries(b.id)).toEqual([
        { name: 'Aurora Records', isrc: AURORA_WORK, units: 1, amount: 25000 },
        { name: 'Aurora Records', isrc: CO_OWNED, units: 3, amount: 45000 },
        { name: 'Meridian Music', isrc: CO_OWNED, units: 3, amount: 30000 },
      ]);
      expect(await owed(agreement)).toEqual({ FLAT_FEE: 100000 });
      const { report: c } = await submit(report(agreement, 'move-c', [{ isrc: AURORA_WORK, useType: 'TRAINING', units: 5 }]));
      expect(c.total.minorUnits).toBe('0');
      expect(await owed(agreement)).toEqual({ FLAT_FEE: 100000 });
    });

    it('owes nothing once every report of the month is reversed, and the next report bears the fee again', async () => {
      const agreement = await activeAgreement(demo.aurora.token, monthlyEur);
      const { report: a } = await submit(report(agreement, 'empty-a', [{ isrc: AURORA_WORK, useType: 'TRAINING', units: 5 }]));
      const { report: b } = await submit(report(agreement, 'empty-b', [{ isrc: AURORA_WORK, useType: 'TRAINING', units: 2 }]));
      await reverse(a.id);
      expect(await reportTotal(b.id)).toBe('100000');
      await reverse(b.id);
      expect(await reportTotal(b.id)).toBe('0');
      expect(await owed(agreement)).toEqual({});
      const { report: d } = await submit(report(agreement, 'empty-d', [{ isrc: CO_OWNED, useType: 'TRAINING', units: 4 }]));
      expect(d.total.minorUnits).toBe('100000');
      const { report: e } = await submit(report(agreement, 'empty-e', [{ isrc: AURORA_WORK, useType: 'TRAINING', units: 4 }]));
      expect(e.total.minorUnits).toBe('0');
      expect(await owed(agreement)).toEqual({ FLAT_FEE: 100000 });
    });

    it("moves a quarter's fee that does not divide by three exactly, report to report, without losing a minor unit", async () => {
      const agreement = await activeAgreement(demo.aurora.token, { model: 'FLAT_FEE', currency: 'EUR', fee: '100.00', period: 'QUARTER' });
      // The quarter's 10000 cents fall as 3334, 3333 and 3333 on its months: this month's, whichever it is.
      const fee = monthlyFee('10000', 'QUARTER', OPEN_PERIOD).toNumber();
      const { report: a } = await submit(report(agreement, 'quarter-a', [{ isrc: AURORA_WORK, useType: 'TRAINING', units: 1 }]));
      const { report: b } = await submit(
        report(agreement, 'quarter-b', [
          { isrc: AURORA_WORK, useType: 'TRAINING', units: 1 },
          { isrc: CO_OWNED, useType: 'TRAINING', units: 1 },
        ]),
      );
      const { report: c } = await submit(report(agreement, 'quarter-c', [{ isrc: CO_OWNED, useType: 'TRAINING', units: 7 }]));
      expect([a.total.minorUnits, b.total.minorUnits, c.total.minorUnits]).toEqual([String(fee), '0', '0']);
      await reverse(a.id);
      // By weights 10000 / 6000 / 4000: 3333 gives 1666.5, 999.9, 666.6 → 1666, 1000, 667; 3334 gives
      // 1667, 1000.2, 666.8 → 1667, 1000, 667 (largest remainders).
      expect(await feeEntries(b.id)).toEqual([
        { name: 'Aurora Records', isrc: AURORA_WORK, units: 1, amount: fee === 3334 ? 1667 : 1666 },
        { name: 'Aurora Records', isrc: CO_OWNED, units: 1, amount: 1000 },
        { name: 'Meridian Music', isrc: CO_OWNED, units: 1, amount: 667 },
      ]);
      await reverse(b.id);
      // By 7×6000 / 7×4000: 3333 gives 1999.8, 1333.2 → 2000, 1333; 3334 gives 2000.4, 1333.6 → 2000, 1334.
      expect(await feeEntries(c.id)).toEqual([
        { name: 'Aurora Records', isrc: CO_OWNED, units: 7, amount: 2000 },
        { name: 'Meridian Music', isrc: CO_OWNED, units: 7, amount: fee === 3334 ? 1334 : 1333 },
      ]);
      expect(await owed(agreement)).toEqual({ FLAT_FEE: fee });
    });

    it('two reports of the month reversed at once: the fee moves to the second, then goes with it (found by a probe: a deadlock)', async () => {
      const agreement = await activeAgreement(demo.aurora.token, monthlyEur);
      const { report: a } = await submit(report(agreement, 'both-a', [{ isrc: AURORA_WORK, useType: 'TRAINING', units: 1 }]));
      const { report: b } = await submit(report(agreement, 'both-b', [{ isrc: AURORA_WORK, useType: 'TRAINING', units: 2 }]));
      // Both reversals lock their report, then queue for the agreement: A's moves the fee onto B meanwhile.
      const holder = await holdingTransaction(db.dataSource, `SELECT 1 FROM agreement WHERE id = $1 FOR UPDATE`, [idOf('Agreement', agreement)]);
      const reverseA = gateway.request(demo.operations.token, REVERSE, { input: { report: a.id, reason: 'test' } });
      await waitUntil(async () => (await lockWaiters(db.dataSource)) === 1);
      const reverseB = gateway.request(demo.operations.token, REVERSE, { input: { report: b.id, reason: 'test' } });
      await waitUntil(async () => (await lockWaiters(db.dataSource)) === 2);
      await holder.commitTransaction();
      await holder.release();
      const answers = await Promise.all([reverseA, reverseB]);
      expect(answers.map(({ body }) => body.errors)).toEqual([undefined, undefined]);
      expect(await owed(agreement)).toEqual({});
      expect([await reportTotal(a.id), await reportTotal(b.id)]).toEqual(['0', '0']);
    });

    it('with a minimum guarantee, balances the top-up against the moved fee', async () => {
      const agreement = await activeAgreement(demo.aurora.token, { ...monthlyEur, minimumGuarantee: { amount: '1500.00', period: 'MONTH' } });
      const { report: a } = await submit(report(agreement, 'guaranteed-a', [{ isrc: AURORA_WORK, useType: 'TRAINING', units: 10 }]));
      const { report: b } = await submit(report(agreement, 'guaranteed-b', [{ isrc: AURORA_WORK, useType: 'TRAINING', units: 1 }]));
      expect(await owed(agreement)).toEqual({ FLAT_FEE: 100000, MINIMUM_GUARANTEE: 50000 });
      await reverse(a.id);
      expect(await owed(agreement)).toEqual({ FLAT_FEE: 100000, MINIMUM_GUARANTEE: 50000 });
      await reverse(b.id);
      expect(await owed(agreement)).toEqual({});
    });
  });

  it('a minimum guarantee counts only its own currency when an amendment changes it (found by a probe: EUR cents taken back in another currency)', async () => {
    const agreement = await activeAgreement(demo.aurora.token, {
      model: 'PER_USE',
      currency: 'EUR',
      ratePerUnit: '0.01',
      minimumGuarantee: { amount: '50.00', period: 'MONTH' },
    });
    const { report: inEuros } = await submit(report(agreement, 'guarantee-eur', [{ isrc: AURORA_WORK, useType: 'TRAINING', units: 1000 }]));
    expect(inEuros.total).toEqual({ amount: '50.00', minorUnits: '5000', currency: 'EUR' });
    const [{ version }] = await db.dataSource.query(`SELECT version FROM agreement WHERE id = $1`, [idOf('Agreement', agreement)]);
    // Francs, which no other test of this month uses: its statements stay this test's own.
    const francs = { model: 'PER_USE', currency: 'CHF', ratePerUnit: '0.03', minimumGuarantee: { amount: '50.00', period: 'MONTH' } };
    const amended = await agreementCall(gateway, demo.aurora.token, 'amendAgreement', {
      agreement,
      expectedVersion: version,
      terms: termsInput({ useTypes: ['TRAINING'], territories: ['WORLD'], excludedTerritories: [], compensation: francs }),
    });
    const accepted = await agreementCall(gateway, demo.resonance.token, 'acceptAgreement', { agreement, expectedVersion: amended.agreement.version });
    expect(accepted.error).toBeUndefined();
    // 1000 units × 0.03 = 30.00 CHF, topped up to the 50.00 CHF guarantee; the euros stay as they were
    // (before: euro usage counted towards it, and 30.00 of the euro top-up was taken back, in francs).
    const { report: inFrancs } = await submit(report(agreement, 'guarantee-chf', [{ isrc: AURORA_WORK, useType: 'TRAINING', units: 1000 }]));
    expect(inFrancs.total).toEqual({ amount: '50.00', minorUnits: '5000', currency: 'CHF' });
    expect(await owed(agreement)).toEqual({ USAGE: 1000, MINIMUM_GUARANTEE: 4000 });
  });

  it('JPY (0 decimals) with a minimum guarantee: topped up to the guarantee, and back to zero when reversed', async () => {
    const agreement = await activeAgreement(demo.aurora.token, {
      model: 'PER_USE',
      currency: 'JPY',
      ratePerUnit: '0.5',
      minimumGuarantee: { amount: '100000', period: 'MONTH' },
    });
    // 3 × 0.5 = 1.5 yen → 2 yen (half to even), then 99,998 yen of top-up to the licensor.
    const { report: stored } = await submit(report(agreement, 'jpy-1', [{ isrc: AURORA_WORK, useType: 'TRAINING', units: 3 }]));
    expect(stored.total).toEqual({ amount: '100000', minorUnits: '100000', currency: 'JPY' });
    const [aurora] = await statements(demo.aurora.token, OPEN_PERIOD, 'JPY');
    expect(aurora.lines).toEqual([
      { isrc: AURORA_WORK, useType: 'TRAINING', kind: 'USAGE', units: '3', amount: { amount: '2', minorUnits: '2' } },
      { isrc: null, useType: null, kind: 'MINIMUM_GUARANTEE', units: '0', amount: { amount: '99998', minorUnits: '99998' } },
    ]);
    // More usage the same month lowers the top-up: the licensor still gets exactly the guarantee.
    await submit(report(agreement, 'jpy-2', [{ isrc: AURORA_WORK, useType: 'TRAINING', units: 1000 }]));
    expect((await statements(demo.aurora.token, OPEN_PERIOD, 'JPY'))[0].total.amount).toBe('100000');
    await gateway.request(demo.resonance.token, REVERSE, { input: { report: stored.id, reason: 'test' } });
    const jpy2 = (await gateway.request(demo.resonance.token, `{ usageReports(first: 100) { edges { node { id idempotencyKey } } } }`)).body.data.usageReports.edges
      .map((e: Json) => e.node)
      .find((n: Json) => n.idempotencyKey === 'jpy-2');
    await gateway.request(demo.resonance.token, REVERSE, { input: { report: jpy2.id, reason: 'test' } });
    const [{ net }] = await db.dataSource.query(`SELECT COALESCE(sum(amount_minor), 0)::int AS net FROM ledger_entry WHERE currency = 'JPY'`);
    expect(net).toBe(0);
  });

  it("the reporter may not reverse once the month's statement is issued; internal may", async () => {
    const { report: october } = await submit(
      report(eurAgreement, 'issued-1', [{ isrc: AURORA_WORK, useType: 'TRAINING', units: 8 }], ISSUED),
    );
    const refused = await gateway.request(demo.resonance.token, REVERSE, { input: { report: october.id, reason: 'late' } });
    expect(refused.body.errors[0].extensions.code).toBe('FORBIDDEN');
    const corrected = await gateway.request(demo.operations.token, REVERSE, { input: { report: october.id, reason: 'correction' } });
    expect(corrected.body.data.reverseUsageReport.reversedAt).toEqual(expect.any(String));
  });
});

describe("while a report's works change", () => {
  it('a registration committing between reading the shares and judging the lines: rated again on one state (found by a probe)', async () => {
    const services = createServices(db.dataSource, new ReceiptSigner({ signingKey: generateReceiptKey() }), 'accord-test');
    const [aurora, resonance] = await Promise.all([demo.aurora.id, demo.resonance.id].map((id) => services.partners.loadViewer(id)));
    // The GraphQL input, as the resolver passes it to the service.
    const ownedBy = (rightsholders: { label: string; shareBps: number }[]) =>
      [{ isrc: 'QZPAY2600001', title: 'Paid Once', artists: [{ name: 'Paid Once Artist', role: 'MAIN' }], rightsholders }] as unknown as WorkInput[];
    await services.works.register(aurora!, ownedBy([{ label: demo.aurora.globalId, shareBps: 10000 }]));
    await grantConsent(gateway, demo.aurora.token, ['QZPAY2600001'], { useTypes: ['TRAINING'], validFrom: '2026-01-01T00:00:00Z' });
    // Meridian takes half the work just before the lines are judged, after the report has read Aurora's 100%.
    let judged = 0;
    const decider: UseDecider = {
      async denials(manager, request) {
        judged += 1;
        if (judged === 1) {
          const halves = [demo.aurora, demo.meridian].map((label) => ({ label: label.globalId, shareBps: 5000 }));
          await services.works.register(aurora!, ownedBy(halves));
        }
        return services.decisions.denials(manager, request);
      },
    };
    const paid = await new UsageService(db.dataSource, decider).submit(resonance!, {
      agreementId: eurAgreement,
      periodStart: new Date(OPEN.periodStart),
      periodEnd: new Date(OPEN.periodEnd),
      territory: 'FR',
      idempotencyKey: 'while-shares-change',
      lines: [{ isrc: 'QZPAY2600001', useType: 'TRAINING', units: 1000 }],
    });
    expect(judged).toBe(2);
    // 1000 × 0.0125 EUR split on the shares the line was judged on (before: all of it to Aurora).
    expect(paid.violation_count).toBe(0);
    const entries = await db.dataSource.query(
      `SELECT p.name, e.amount_minor::int AS amount FROM ledger_entry e JOIN partner p ON p.id = e.rightsholder_id
       WHERE e.report_id = $1 ORDER BY p.name`,
      [paid.id],
    );
    expect(entries).toEqual([
      { name: 'Aurora Records', amount: 625 },
      { name: 'Meridian Music', amount: 625 },
    ]);
  });
});

describe('while an amendment of the agreement is being accepted', () => {
  /** An active PER_USE agreement at 0.01 EUR a unit with an amendment to 0.02 proposed, and how to start accepting it. */
  async function acceptingAmendment() {
    const agreement = await activeAgreement(demo.aurora.token, { model: 'PER_USE', currency: 'EUR', ratePerUnit: '0.01' });
    const [{ version }] = await db.dataSource.query(`SELECT version FROM agreement WHERE id = $1`, [idOf('Agreement', agreement)]);
    const amended = await agreementCall(gateway, demo.aurora.token, 'amendAgreement', {
      agreement,
      expectedVersion: version,
      terms: termsInput({ useTypes: ['TRAINING'], territories: ['WORLD'], excludedTerritories: [], compensation: { model: 'PER_USE', currency: 'EUR', ratePerUnit: '0.02' } }),
    });
    if (amended.error) throw new Error(amended.error.message);
    // What acceptAgreement writes, in a transaction left open.
    const accepting = () =>
      holdingTransaction(
        db.dataSource,
        `UPDATE agreement SET terms_in_force = pending_terms, pending_terms = NULL, version = version + 1, updated_at = now() WHERE id = $1`,
        [idOf('Agreement', agreement)],
      );
    return { agreement, accepting };
  }

  it('a report waiting for it is rated under the amended terms (found by a concurrency probe: BAD_USER_INPUT "never been in force")', async () => {
    const { agreement, accepting } = await acceptingAmendment();
    const accept = await accepting();
    const call = submit(report(agreement, 'during-accept', [{ isrc: AURORA_WORK, useType: 'TRAINING', units: 100 }]));
    await waitUntil(async () => (await lockWaiters(db.dataSource)) > 0);
    await accept.commitTransaction();
    await accept.release();
    const { report: submitted, error } = await call;
    expect(error).toBeUndefined();
    expect(submitted.total.minorUnits).toBe('200');
  });

  it('a reversal waiting for it goes through (found by a concurrency probe: INTERNAL_SERVER_ERROR)', async () => {
    const { agreement, accepting } = await acceptingAmendment();
    const { report: submitted } = await submit(report(agreement, 'before-accept', [{ isrc: AURORA_WORK, useType: 'TRAINING', units: 100 }]));
    expect(submitted.total.minorUnits).toBe('100');
    const accept = await accepting();
    const call = gateway.request(demo.resonance.token, REVERSE, { input: { report: submitted.id, reason: 'test' } });
    await waitUntil(async () => (await lockWaiters(db.dataSource)) > 0);
    await accept.commitTransaction();
    await accept.release();
    const { body } = await call;
    expect(body.errors).toBeUndefined();
    expect(await reportTotal(submitted.id)).toBe('0');
  });
});

describe('bad input: BAD_USER_INPUT (or FORBIDDEN), and nothing written', () => {
  const line = { isrc: AURORA_WORK, useType: 'TRAINING', units: 1 };
  const cases: [string, () => Record<string, unknown>, string, string][] = [
    ['period end before start', () => report(eurAgreement, 'bad-1', [line], { periodEnd: ISSUED.periodStart }), 'BAD_USER_INPUT', 'periodEnd'],
    ['a period over two months', () => report(eurAgreement, 'bad-2', [line], { periodEnd: iso(plusDays(monthStart(1), 14)) }), 'BAD_USER_INPUT', 'periodEnd'],
    ['negative units', () => report(eurAgreement, 'bad-3', [{ ...line, units: -1 }]), 'BAD_USER_INPUT', 'lines[0].units'],
    ['negative revenue', () => report(eurAgreement, 'bad-4', [{ ...line, revenue: '-5.00' }]), 'BAD_USER_INPUT', 'lines[0].revenue'],
    ['an unknown ISRC', () => report(eurAgreement, 'bad-5', [line, { ...line, isrc: 'ZZZZZ9900001' }]), 'BAD_USER_INPUT', 'lines[1].isrc'],
    ['a use type outside the agreement', () => report(eurAgreement, 'bad-6', [{ ...line, useType: 'VOICE_MODEL' }]), 'BAD_USER_INPUT', 'lines[0].useType'],
    ['more than 50,000 lines', () => report(eurAgreement, 'bad-7', Array.from({ length: 50_001 }, () => line)), 'BAD_USER_INPUT', 'lines'],
  ];
  it.each(cases)('%s', async (_name, input, code, field) => {
    const before = [await countRows(db.dataSource, 'usage_report'), await countRows(db.dataSource, 'ledger_entry'), await countRows(db.dataSource, 'change_event')];
    const { error } = await submit(input());
    expect(error.extensions).toMatchObject({ code, field });
    expect([await countRows(db.dataSource, 'usage_report'), await countRows(db.dataSource, 'ledger_entry'), await countRows(db.dataSource, 'change_event')]).toEqual(before);
  });

  it('an agreement the reporter is not licensee of: FORBIDDEN', async () => {
    const before = await countRows(db.dataSource, 'usage_report');
    const { error } = await submit(report(eurAgreement, 'cadence-1', [line]), demo.cadence.token);
    expect(error.extensions.code).toBe('FORBIDDEN');
    expect(await countRows(db.dataSource, 'usage_report')).toBe(before);
  });
});

describe('who sees what, through HTTP', () => {
  it("no label sees another's statement lines; no AI partner sees another's reports or what it owes", async () => {
    for (const statement of await statements(demo.meridian.token, OPEN_PERIOD, 'EUR')) expect(statement.partner.name).toBe('Meridian Music');
    for (const statement of await statements(demo.aurora.token, OPEN_PERIOD, 'EUR')) expect(statement.partner.name).toBe('Aurora Records');
    expect(await statements(demo.cadence.token, OPEN_PERIOD, 'EUR')).toEqual([]);
    const { body } = await gateway.request(demo.cadence.token, `{ usageReports(first: 100) { edges { node { id } } } }`);
    expect(body.data.usageReports.edges).toEqual([]);
    const reports = (await gateway.request(demo.resonance.token, `{ usageReports(first: 100) { edges { node { id } } } }`)).body.data.usageReports.edges;
    const foreign = await gateway.request(demo.cadence.token, `query($id: ID!) { usageReport(id: $id) { id } }`, { id: reports[0].node.id });
    expect(foreign.body.data.usageReport).toBeNull();
  });

  it('violations are visible to the licensor, the reporter and internal, not to another label', async () => {
    const reports = (await gateway.request(demo.operations.token, `{ usageReports(first: 100) { edges { node { id violationCount } } } }`)).body.data.usageReports.edges;
    const flagged = reports.map((e: Json) => e.node).find((n: Json) => n.violationCount > 0);
    const read = (token: string) => gateway.request(token, `query($id: ID!) { usageReport(id: $id) { violations { isrc reasons } } }`, { id: flagged.id });
    for (const token of [demo.aurora.token, demo.resonance.token, demo.operations.token]) {
      expect((await read(token)).body.data.usageReport.violations).toEqual([{ isrc: NO_CONSENT_WORK, reasons: ['NO_CONSENT'] }]);
    }
    expect((await read(demo.meridian.token)).body.data.usageReport).toBeNull();
  });
});
