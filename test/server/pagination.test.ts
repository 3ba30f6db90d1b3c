import { randomUUID } from 'node:crypto';
import { encodeCursor } from '../../src/common/relay/connection';
import { insertAgreement } from '../support/agreements-fixtures';
import type { TestDatabase } from '../support/database';
import { startDemoGateway, stopDemoGateway } from '../support/demo-gateway';
import type { Demo } from '../support/demo';
import type { TestGateway } from '../support/gateway';

let db: TestDatabase;
let gateway: TestGateway;
let demo: Demo;

beforeAll(async () => {
  ({ db, gateway, demo } = await startDemoGateway());
  for (let i = 0; i < 3; i += 1) {
    await insertAgreement(db.dataSource, { licensor: demo.aurora.id, licensee: demo.cadence.id });
  }
});
afterAll(() => stopDemoGateway({ db, gateway }));

const AGREEMENTS = 'query($after: String) { agreements(first: 2, after: $after) { edges { cursor } pageInfo { hasNextPage endCursor } } }';
const REPORTS = 'query($after: String) { usageReports(first: 2, after: $after) { edges { cursor } pageInfo { hasNextPage } } }';
const HISTORY = 'query($after: String) { work(isrc: "QZAUR2600001") { consentHistory(first: 2, after: $after) { edges { cursor } } } }';

describe('cursors a list did not write', () => {
  it('an empty cursor is refused, not read as the start of the list', async () => {
    for (const query of [AGREEMENTS, REPORTS, HISTORY]) {
      const { body } = await gateway.request(demo.aurora.token, query, { after: '' });
      expect(body.errors[0]).toMatchObject({ message: 'after (): not a cursor of this list', extensions: { code: 'BAD_USER_INPUT', field: 'after' } });
    }
  });

  it("another time-ordered list's cursor is refused, not read as a position in this one", async () => {
    const { body } = await gateway.request(demo.aurora.token, AGREEMENTS, {});
    const cursor = body.data.agreements.pageInfo.endCursor;
    expect((await gateway.request(demo.aurora.token, AGREEMENTS, { after: cursor })).body.errors).toBeUndefined();
    const reports = await gateway.request(demo.aurora.token, REPORTS, { after: cursor });
    expect(reports.body.errors[0]).toMatchObject({ message: `after (${cursor}): not a cursor of this list`, extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('a consent history cursor naming no record is refused, not read as the end of the history', async () => {
    const { body } = await gateway.request(demo.aurora.token, HISTORY, { after: encodeCursor(randomUUID()) });
    expect(body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});

describe('the cost of pages', () => {
  it('a negative first does not cancel the cost of the fields beside it', async () => {
    const heavy = Array.from({ length: 10 }, (_, i) => `a${i}: works(first: 500) { edges { node { isrc consentHistory(first: 100) { edges { node { id } } } } } }`);
    const query = `{ ${heavy.join(' ')} negative: works(first: -100000) { edges { cursor } } }`;
    const { status, body } = await gateway.request(demo.operations.token, query);
    expect(status).toBe(400);
    expect(body.errors[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
  });

  it('usage reports and consent histories cost their page size', async () => {
    const cost = async (query: string) => (await gateway.request(demo.operations.token, query)).body.extensions.cost.requested;
    expect(await cost('{ usageReports(first: 100) { edges { cursor } } }')).toBe(1 + 100 * 2);
    const history = (first: number) => `{ work(isrc: "QZAUR2600001") { consentHistory(first: ${first}) { edges { cursor } } } }`;
    expect((await cost(history(100))) - (await cost(history(1)))).toBe(99 * 2);
  });
});
