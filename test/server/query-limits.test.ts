import { QUERY_LIMITS } from '../../src/server/query-limits';
import type { TestDatabase } from '../support/database';
import { startDemoGateway, stopDemoGateway } from '../support/demo-gateway';
import { countRows, type Demo } from '../support/demo';
import type { TestGateway } from '../support/gateway';

let db: TestDatabase;
let gateway: TestGateway;
let demo: Demo;

beforeAll(async () => ({ db, gateway, demo } = await startDemoGateway()));
afterAll(() => stopDemoGateway({ db, gateway }));

/** viewer { mandates { distributor { mandates { … } } } }: `depth` levels below viewer. */
function nested(depth: number): string {
  const fields = Array.from({ length: depth }, (_, i) => (i % 2 ? 'distributor' : 'mandates'));
  const leaf = depth % 2 ? 'id' : 'name';
  return `{ viewer { ${fields.map((f) => `${f} { `).join('')}${leaf}${' }'.repeat(depth)} } }`;
}

describe('query limits', () => {
  it(`refuses an operation deeper than ${QUERY_LIMITS.maxDepth} with QUERY_TOO_COMPLEX`, async () => {
    const { status, body } = await gateway.request(demo.aurora.token, nested(QUERY_LIMITS.maxDepth + 2));
    expect(status).toBe(400);
    expect(body.errors[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
    expect(body.errors[0].message).toMatch(/depth limit of 12/);
  });

  it('accepts an operation within the depth limit', async () => {
    const { body } = await gateway.request(demo.operations.token, nested(QUERY_LIMITS.maxDepth - 2));
    expect(body.errors).toBeUndefined();
  });

  it(`refuses more than ${QUERY_LIMITS.maxAliases} aliases`, async () => {
    const aliases = Array.from({ length: QUERY_LIMITS.maxAliases + 1 }, (_, i) => `a${i}: viewer { name }`).join(' ');
    const { body } = await gateway.request(demo.aurora.token, `{ ${aliases} }`);
    expect(body.errors[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
  });

  it(`refuses a document of more than ${QUERY_LIMITS.maxTokens} tokens at parse time`, async () => {
    const { body } = await gateway.request(demo.aurora.token, `{ viewer { ${'name '.repeat(QUERY_LIMITS.maxTokens)} } }`);
    expect(body.errors[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
  });

  it('refuses an operation whose cost cannot be measured, instead of charging it one point', async () => {
    // Within the token limit, but more fields than the cost analysis evaluates (10,000).
    const document = `{ viewer { ${'...P '.repeat(2_001)} } } fragment P on Partner { id name type dpid status }`;
    const { status, body } = await gateway.request(demo.aurora.token, document);
    expect(status).toBe(400);
    expect(body.data).toBeUndefined();
    expect(body.errors[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
  });

  it('refuses a mutation over the limits before anything is written', async () => {
    const before = await countRows(db.dataSource, 'mandate');
    const grants = Array.from({ length: QUERY_LIMITS.maxAliases + 1 }, (_, i) => `g${i}: grantMandate(input: {distributor: "${demo.tidewater.globalId}", permissions: [READ_CATALOG]}) { id }`).join(' ');
    const { body } = await gateway.request(demo.aurora.token, `mutation { ${grants} }`);
    expect(body.errors[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
    expect(await countRows(db.dataSource, 'mandate')).toBe(before);
  });
});
