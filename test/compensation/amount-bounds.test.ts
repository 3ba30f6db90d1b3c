import { toGlobalId } from '../../src/common/relay/global-id';
import { agreementCall, termsInput } from '../support/agreements';
import { insertAgreement } from '../support/agreements-fixtures';
import type { TestDatabase } from '../support/database';
import { startDemoGateway, stopDemoGateway } from '../support/demo-gateway';
import { countRows, type Demo } from '../support/demo';
import type { TestGateway } from '../support/gateway';
import { grantConsent } from '../support/consent-fixtures';

/**
 * Amounts too large for the ledger's bigint columns are bad input, refused where they are parsed (the
 * agreement's terms, each report line, the report's total) and never a database error. The bound is
 * 10^13 minor units: 100,000,000,000.00 EUR.
 */
let db: TestDatabase;
let gateway: TestGateway;
let demo: Demo;

const AURORA_WORK = 'QZAUR2600001';
const AURORA_OTHER = 'QZAUR2600003';
const NINES = '9'.repeat(40);
const MAX_EUR = '100000000000.00';
const MAX_INT = 2_147_483_647;

const SUBMIT = `mutation($input: SubmitUsageReportInput!) {
  submitUsageReport(input: $input) { id total { amount minorUnits currency } }
}`;

const now = new Date();
const PERIOD = {
  periodStart: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString(),
  periodEnd: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString(),
};

async function createAgreement(compensation: Record<string, unknown>) {
  return agreementCall(gateway, demo.aurora.token, 'createAgreement', {
    licensee: demo.resonance.globalId,
    terms: termsInput({ compensation }),
  });
}

async function activeAgreement(compensation: Record<string, unknown>): Promise<string> {
  const created = await createAgreement(compensation);
  if (created.error) throw new Error(created.error.message);
  const id = created.agreement.id;
  const proposed = await agreementCall(gateway, demo.aurora.token, 'proposeAgreement', { agreement: id, expectedVersion: 1 });
  const accepted = await agreementCall(gateway, demo.resonance.token, 'acceptAgreement', { agreement: id, expectedVersion: proposed.agreement.version });
  if (accepted.error) throw new Error(accepted.error.message);
  return id;
}

let keys = 0;
async function submit(agreementId: string, lines: Record<string, unknown>[]) {
  keys += 1;
  const { status, body } = await gateway.request(demo.resonance.token, SUBMIT, {
    input: { agreementId, ...PERIOD, territory: 'FR', idempotencyKey: `bounds-${keys}`, lines },
  });
  return { status, report: body.data?.submitUsageReport, error: body.errors?.[0] };
}

async function writes() {
  const tables = ['agreement', 'usage_report', 'usage_line', 'ledger_entry', 'change_event'];
  return Promise.all(tables.map((table) => countRows(db.dataSource, table)));
}

const training = (units: number, revenue?: string) => ({ isrc: AURORA_WORK, useType: 'TRAINING', units, ...(revenue === undefined ? {} : { revenue }) });

beforeAll(async () => {
  ({ db, gateway, demo } = await startDemoGateway({ costBudgetPerMinute: 10_000_000 }));
  await grantConsent(gateway, demo.aurora.token, [AURORA_WORK, AURORA_OTHER], { validFrom: '2026-01-01T00:00:00Z' });
});
afterAll(() => stopDemoGateway({ db, gateway }));

describe('agreement terms', () => {
  it.each([
    ['a rate of 10^40 EUR', { model: 'PER_USE', currency: 'EUR', ratePerUnit: NINES }, 'terms.compensation.ratePerUnit'],
    ['a rate a yen over the bound', { model: 'PER_USE', currency: 'JPY', ratePerUnit: '10000000000001' }, 'terms.compensation.ratePerUnit'],
    ['a fee of 10^40 EUR', { model: 'FLAT_FEE', currency: 'EUR', fee: NINES, period: 'MONTH' }, 'terms.compensation.fee'],
    ['a fee a cent over the bound', { model: 'FLAT_FEE', currency: 'EUR', fee: '100000000000.01', period: 'YEAR' }, 'terms.compensation.fee'],
    [
      'a minimum guarantee of 10^40 EUR',
      { model: 'PER_USE', currency: 'EUR', ratePerUnit: '0.01', minimumGuarantee: { amount: NINES, period: 'MONTH' } },
      'terms.compensation.minimumGuarantee.amount',
    ],
  ])('refuse %s as BAD_USER_INPUT naming the field, and write nothing', async (_, compensation, field) => {
    const before = await writes();
    const { error } = await createAgreement(compensation);
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', extensions: { field } });
    expect(error!.message).toMatch(new RegExp(`^${field.replace(/\./g, '\\.')}: at most `));
    expect(await writes()).toEqual(before);
  });

  it('take amounts at the bound, which a report then pays in full', async () => {
    const agreement = await activeAgreement({
      model: 'FLAT_FEE',
      currency: 'EUR',
      fee: MAX_EUR,
      period: 'MONTH',
      minimumGuarantee: { amount: MAX_EUR, period: 'MONTH' },
    });
    const { report, error } = await submit(agreement, [training(MAX_INT)]);
    expect(error).toBeUndefined();
    expect(report.total).toEqual({ amount: MAX_EUR, minorUnits: '10000000000000', currency: 'EUR' });
  });
});

describe('usage report lines and totals', () => {
  let perUse: string;
  let revenueShare: string;

  beforeAll(async () => {
    perUse = await activeAgreement({ model: 'PER_USE', currency: 'EUR', ratePerUnit: '1000000' });
    revenueShare = await activeAgreement({ model: 'REVENUE_SHARE', currency: 'EUR', bps: 10_000 });
  });

  async function refused(agreement: string, lines: Record<string, unknown>[], details: Record<string, unknown>) {
    const before = await writes();
    const { status, error } = await submit(agreement, lines);
    expect(status).not.toBe(500);
    expect(error).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', ...details } });
    expect(await writes()).toEqual(before);
    return error.message as string;
  }

  it('PER_USE: a line whose units × rate is over the bound, naming the line', async () => {
    const message = await refused(perUse, [training(1), training(MAX_INT)], { field: 'lines[1].units', index: 1 });
    expect(message).toBe(`lines[1].units: ${MAX_INT} × 1000000 EUR is 2147483647000000.00 EUR; a line pays at most ${MAX_EUR} EUR`);
  });

  it('PER_USE: an agreement stored before the bound (a rate of 10^40) refuses the line rather than overflowing', async () => {
    const legacy = await insertAgreement(db.dataSource, { licensor: demo.aurora.id, licensee: demo.resonance.id });
    await db.dataSource.query(`UPDATE agreement_terms SET compensation = $2 WHERE agreement_id = $1`, [
      legacy,
      JSON.stringify({ model: 'PER_USE', currency: 'EUR', ratePerUnit: NINES }),
    ]);
    await refused(toGlobalId('Agreement', legacy), [training(MAX_INT)], { field: 'lines[0].units', index: 0 });
  });

  it('REVENUE_SHARE: a revenue of 10^40, naming the line', async () => {
    const message = await refused(revenueShare, [training(1, '1.00'), training(1, NINES)], { field: 'lines[1].revenue', index: 1 });
    expect(message).toBe(`lines[1].revenue: at most ${MAX_EUR} EUR, got "${NINES}"`);
  });

  it('REVENUE_SHARE: two lines each too large for the ledger once summed', async () => {
    const huge = '90000000000000000.00';
    await refused(revenueShare, [training(1, huge), training(1, huge)], { field: 'lines[0].revenue', index: 0 });
  });

  it('REVENUE_SHARE: lines each within the bound whose total is not', async () => {
    const message = await refused(revenueShare, [training(1, '60000000000.00'), { ...training(1, '60000000000.00'), isrc: AURORA_OTHER }], {
      field: 'lines',
    });
    expect(message).toBe(`lines: the lines come to 120000000000.00 EUR; a report pays at most ${MAX_EUR} EUR`);
  });

  it('REVENUE_SHARE: a revenue of "-0" is zero', async () => {
    const { report, error } = await submit(revenueShare, [training(5, '-0')]);
    expect(error).toBeUndefined();
    expect(report.total).toEqual({ amount: '0.00', minorUnits: '0', currency: 'EUR' });
  });
});
