import { CostBudget } from '../../src/server/cost-budget';
import { QUERY_LIMITS } from '../../src/server/query-limits';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { countRows, seedDemoPartners, type Demo } from '../support/demo';
import { startTestGateway, type TestGateway } from '../support/gateway';

let db: TestDatabase;
let demo: Demo;
const gateways: TestGateway[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  demo = await seedDemoPartners(db.dataSource);
});
afterAll(async () => {
  await Promise.all(gateways.map((g) => g.close()));
  await db.drop();
});

async function gateway(costBudgetPerMinute: number): Promise<TestGateway> {
  const started = await startTestGateway(db.dataSource, { costBudgetPerMinute });
  gateways.push(started);
  return started;
}

/**
 * The budget's window is the clock's minute: a test that spends a budget and straddles two minutes would
 * get a fresh budget half-way. Such tests start with at least 20 seconds left in the minute.
 */
async function startEarlyInAMinute(): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < 20_000) await new Promise((resolve) => setTimeout(resolve, left + 50));
}

describe('operation cost and the per-partner budget', () => {
  it('reports the cost of every operation and what is left of the minute in extensions.cost', async () => {
    const g = await gateway(100_000);
    const { body } = await g.request(demo.resonance.token, '{ works(first: 10) { edges { node { isrc title } } } }');
    // works: 1 + 10 × (edges 1 + node 1 + isrc 1 + title 1) = 41
    expect(body.extensions.cost).toEqual({ requested: 41, limit: 100_000, remaining: 100_000 - 41, resetAt: expect.any(String) });
  });

  it('charges a decision batch by its size, within the per-operation maximum even at 10,000 ISRCs', async () => {
    const g = await gateway(100_000);
    const isrcs = Array.from({ length: 10_000 }, (_, i) => `QZZZZ26${String(i).padStart(5, '0')}`);
    const { body } = await g.request(demo.resonance.token, 'query($isrcs: [ISRC!]!) { consentDecisions(isrcs: $isrcs, use: TRAINING, territory: "FR") { decisions { isrc decision } } }', { isrcs });
    expect(body.errors).toBeUndefined();
    // 1 + selection (decisions, isrc, decision: 3) + one point per ten ISRCs.
    expect(body.extensions.cost.requested).toBe(1 + 3 + 1000);
  });

  it('refuses an operation that would cost more than the per-operation maximum, before it runs', async () => {
    const g = await gateway(100_000);
    const { status, body } = await g.request(
      demo.resonance.token,
      '{ works(first: 500) { edges { node { isrc title iswc releaseDate updatedAt artists { role artist { id name isni } } rightsholders { shareBps label { id name type dpid } } } } } }',
    );
    expect(status).toBe(400);
    expect(body.errors[0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', cost: { maximum: QUERY_LIMITS.maxCost } });
    expect(body.data).toBeUndefined();
  });

  it('answers RATE_LIMITED (429) once the budget is spent, and runs nothing', async () => {
    await startEarlyInAMinute();
    // grantMandate { id } costs 2 points: a budget of 20 allows exactly 10 of them this minute.
    const g = await gateway(20);
    const grant = `mutation($d: ID!) { grantMandate(input: {distributor: $d, permissions: [READ_CATALOG]}) { id } }`;
    const statuses: number[] = [];
    for (let i = 0; i < 12; i += 1) {
      const before = await countRows(db.dataSource, 'mandate');
      const { status, body } = await g.request(demo.meridian.token, grant, { d: demo.tidewater.globalId });
      statuses.push(status);
      if (status === 429) {
        expect(body.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', cost: { limit: 20 } });
        expect(await countRows(db.dataSource, 'mandate')).toBe(before);
      }
    }
    expect(statuses.filter((s) => s === 200).length).toBe(10);
    expect(statuses.slice(10)).toEqual([429, 429]);
  });

  it('is shared by every replica: two gateways together never spend more than the limit', async () => {
    await startEarlyInAMinute();
    const limit = 200;
    const [a, b] = [await gateway(limit), await gateway(limit)];
    let spent = 0;
    for (let i = 0; i < 60; i += 1) {
      const { status, body } = await (i % 2 ? a : b).request(demo.cadence.token, '{ viewer { name type } }');
      if (status === 200) spent += body.extensions.cost.requested;
    }
    // { viewer { name type } } costs 3 points: 60 requests would spend 180 of 200 — so ask for more.
    for (let i = 0; i < 20; i += 1) {
      const { status, body } = await (i % 2 ? a : b).request(demo.cadence.token, '{ viewer { name type } }');
      if (status === 200) spent += body.extensions.cost.requested;
    }
    expect(spent).toBeLessThanOrEqual(limit);
    expect(spent).toBeGreaterThan(limit - 3 * 2 * 10);
  });

  it('leases from the shared row without ever granting beyond the limit under concurrency', async () => {
    const budgets = [new CostBudget(db.dataSource, 1000), new CostBudget(db.dataSource, 1000), new CostBudget(db.dataSource, 1000)];
    const results = await Promise.allSettled(
      Array.from({ length: 150 }, (_, i) => budgets[i % 3].charge(demo.aurora.id, 10, Date.UTC(2030, 0, 1))),
    );
    expect(results.filter((r) => r.status === 'fulfilled').length).toBeLessThanOrEqual(100);
    const [{ points }] = await db.dataSource.query(`SELECT points::int FROM cost_budget WHERE partner_id = $1 AND window_start = $2`, [
      demo.aurora.id,
      new Date(Date.UTC(2030, 0, 1)),
    ]);
    expect(points).toBeLessThanOrEqual(1000);
  });

  it('takes one lease for a burst of concurrent requests on a replica, leaving the rest of the minute to the others', async () => {
    const minute = Date.UTC(2030, 0, 2);
    const budget = new CostBudget(db.dataSource, 1000);
    const charged = await Promise.all(Array.from({ length: 40 }, () => budget.charge(demo.aurora.id, 1, minute)));
    expect(charged).toHaveLength(40);
    const [{ points }] = await db.dataSource.query(`SELECT points::int FROM cost_budget WHERE partner_id = $1 AND window_start = $2`, [
      demo.aurora.id,
      new Date(minute),
    ]);
    // One chunk (a twentieth of the limit), not one per waiting request.
    expect(points).toBe(50);
  });
});
