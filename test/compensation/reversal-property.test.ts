import fc from 'fast-check';
import { agreementCall, termsInput } from '../support/agreements';
import type { TestDatabase } from '../support/database';
import { startDemoGateway, stopDemoGateway } from '../support/demo-gateway';
import type { Demo } from '../support/demo';
import type { TestGateway } from '../support/gateway';
import { grantConsent } from '../support/consent-fixtures';

/** Property: whatever the model, currency, guarantee and lines, a report followed by its reversal nets every account to zero. */
let db: TestDatabase;
let gateway: TestGateway;
let demo: Demo;

const WORKS = ['QZAUR2600001', 'QZAUR2600003', 'QZMER2600008'];

const compensationArbitrary = fc.oneof(
  fc.record({
    model: fc.constant('PER_USE'),
    currency: fc.constantFrom('EUR', 'JPY', 'KWD'),
    ratePerUnit: fc.tuple(fc.integer({ min: 0, max: 99 }), fc.integer({ min: 1, max: 999_999 })).map(([units, fraction]) => `${units}.${String(fraction).padStart(6, '0')}`),
  }),
  fc.record({ model: fc.constant('REVENUE_SHARE'), currency: fc.constantFrom('EUR', 'USD'), bps: fc.integer({ min: 0, max: 10_000 }) }),
  fc.record({
    model: fc.constant('FLAT_FEE'),
    currency: fc.constant('EUR'),
    fee: fc.integer({ min: 0, max: 10_000_000 }).map((cents) => (cents / 100).toFixed(2)),
    period: fc.constantFrom('MONTH', 'QUARTER', 'YEAR'),
  }),
);

beforeAll(async () => {
  ({ db, gateway, demo } = await startDemoGateway({ costBudgetPerMinute: 10_000_000 }));
  await grantConsent(gateway, demo.operations.token, WORKS);
});
afterAll(() => stopDemoGateway({ db, gateway }));

async function activate(token: string, compensation: Record<string, unknown>): Promise<string> {
  const created = await agreementCall(gateway, token, 'createAgreement', {
    licensee: demo.resonance.globalId,
    terms: termsInput({ useTypes: ['TRAINING'], excludedTerritories: [], startsAt: '2020-01-01T00:00:00Z', compensation }),
  });
  if (created.error) throw new Error(created.error.message);
  await agreementCall(gateway, token, 'proposeAgreement', { agreement: created.agreement.id, expectedVersion: 1 });
  await agreementCall(gateway, demo.resonance.token, 'acceptAgreement', { agreement: created.agreement.id, expectedVersion: 2 });
  return created.agreement.id;
}

let run = 0;
/** Runs whose report paid someone: the property must not hold only because nothing was written. */
let paidRuns = 0;

it('a report followed by its reversal nets every account to exactly zero', async () => {
  await fc.assert(
    fc.asyncProperty(
      compensationArbitrary,
      fc.option(fc.integer({ min: 1, max: 1_000_000 }), { nil: null }),
      fc.array(fc.record({ work: fc.constantFrom(...WORKS), units: fc.integer({ min: 0, max: 1_000_000 }), revenue: fc.integer({ min: 0, max: 100_000_000 }) }), {
        minLength: 1,
        maxLength: 12,
      }),
      async (compensation, guarantee, lines) => {
        run += 1;
        const currencyDigits = compensation.currency === 'JPY' ? 0 : compensation.currency === 'KWD' ? 3 : 2;
        const withGuarantee = guarantee
          ? { ...compensation, minimumGuarantee: { amount: (guarantee / 10 ** currencyDigits).toFixed(currencyDigits), period: 'MONTH' } }
          : compensation;
        const aurora = await activate(demo.aurora.token, withGuarantee);
        await activate(demo.meridian.token, compensation);
        // A month inside the agreements' term (2020–2029), a different one each run.
        const month = `${2020 + (run % 10)}-${String((run % 12) + 1).padStart(2, '0')}`;
        const { body } = await gateway.request(
          demo.resonance.token,
          `mutation($input: SubmitUsageReportInput!) { submitUsageReport(input: $input) { id } }`,
          {
            input: {
              agreementId: aurora,
              periodStart: `${month}-01T00:00:00Z`,
              periodEnd: `${month}-02T00:00:00Z`,
              territory: 'FR',
              idempotencyKey: `property-${run}`,
              lines: lines.map((l) => ({
                isrc: l.work,
                useType: 'TRAINING',
                units: l.units,
                revenue: (l.revenue / 10 ** currencyDigits).toFixed(currencyDigits),
              })),
            },
          },
        );
        if (body.errors) throw new Error(body.errors[0].message);
        const reversed = await gateway.request(demo.operations.token, `mutation($input: ReverseUsageReportInput!) { reverseUsageReport(input: $input) { id } }`, {
          input: { report: body.data.submitUsageReport.id, reason: 'property' },
        });
        if (reversed.body.errors) throw new Error(reversed.body.errors[0].message);
        const accounts = await db.dataSource.query(
          `SELECT rightsholder_id, sum(amount_minor)::text AS net FROM ledger_entry
           WHERE agreement_id = $1 GROUP BY rightsholder_id`,
          [Buffer.from(aurora, 'base64url').toString().split(':')[1]],
        );
        for (const account of accounts) expect(account.net).toBe('0');
        if (accounts.length > 0) paidRuns += 1;
      },
    ),
    { numRuns: 25 },
  );
  expect(paidRuns).toBeGreaterThan(15);
});
