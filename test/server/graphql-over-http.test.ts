import { auditServer } from 'graphql-http';
import type { TestDatabase } from '../support/database';
import { startDemoGateway, stopDemoGateway } from '../support/demo-gateway';
import type { Demo } from '../support/demo';
import type { TestGateway } from '../support/gateway';

let db: TestDatabase;
let gateway: TestGateway;
let demo: Demo;

beforeAll(async () => ({ db, gateway, demo } = await startDemoGateway()));
afterAll(() => stopDemoGateway({ db, gateway }));

describe('GraphQL over HTTP', () => {
  it('passes every MUST of the graphql-http server audit, as an authenticated client', async () => {
    const authenticatedFetch: typeof fetch = (input, init) =>
      fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), authorization: `Bearer ${demo.operations.token}` } });
    const results = await auditServer({ url: gateway.url, fetchFn: authenticatedFetch });
    const failedMusts = results.flatMap((r) => (r.status === 'error' ? [`${r.name}: ${r.reason}`] : []));
    expect(failedMusts).toEqual([]);
    expect(results.filter((r) => r.status === 'ok').length).toBeGreaterThan(20);
  });

  it('answers GET queries with application/graphql-response+json', async () => {
    const url = `${gateway.url}?query=${encodeURIComponent('{ viewer { name type } }')}`;
    const response = await fetch(url, {
      headers: { authorization: `Bearer ${demo.resonance.token}`, accept: 'application/graphql-response+json' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/graphql-response+json');
    expect(((await response.json()) as { data: unknown }).data).toEqual({ viewer: { name: 'Resonance AI', type: 'AI_PARTNER' } });
  });

  it('refuses a mutation over GET', async () => {
    const query = encodeURIComponent('mutation { suspendPartner(input: {partner: "x", reason: "y"}) { name } }');
    const response = await fetch(`${gateway.url}?query=${query}`, {
      headers: { authorization: `Bearer ${demo.operations.token}` },
    });
    expect(response.status).toBe(405);
  });

  it('runs nothing when operationName names no operation of the document, however often it is sent', async () => {
    const mutation = `mutation Register { registerWorks(input: [{isrc: "QZOPN2600001", title: "Never written",
      artists: [{name: "Op Name", role: MAIN}], rightsholders: [{label: "${demo.aurora.globalId}", shareBps: 10000}]}]) { createdCount } }`;
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const response = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${demo.aurora.token}` },
        body: JSON.stringify({ query: mutation, operationName: 'Other' }),
      });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { errors: unknown[] }).errors).toEqual([
        { message: 'Unknown operation named "Other".', extensions: { code: 'BAD_USER_INPUT', reason: 'OPERATION_RESOLUTION_FAILURE' } },
      ]);
    }
    const written = await db.dataSource.query(`SELECT 1 FROM work WHERE isrc = 'QZOPN2600001'`);
    expect(written).toEqual([]);
  });

  it('blocks a simple cross-site request without a token or preflight header (CSRF prevention)', async () => {
    const response = await fetch(`${gateway.url}?query=${encodeURIComponent('{ viewer { name } }')}`);
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/CSRF/);
  });

  it('answers a malformed or oversized body with a JSON error, never an HTML page', async () => {
    const post = (body: string) =>
      fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${demo.resonance.token}` }, body });
    const malformed = await post('{"query": ');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual({ errors: [{ message: 'request body is not valid JSON', extensions: { code: 'BAD_USER_INPUT' } }] });
    const oversized = await post(JSON.stringify({ query: '{ viewer { name } }', variables: { padding: 'x'.repeat(11 * 1024 * 1024) } }));
    expect(oversized.status).toBe(413);
    expect(((await oversized.json()) as { errors: unknown[] }).errors[0]).toEqual({ message: 'request body is too large', extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('says why it refuses a body in another charset or encoding', async () => {
    const post = (headers: Record<string, string>) =>
      fetch(gateway.url, { method: 'POST', headers: { authorization: `Bearer ${demo.resonance.token}`, ...headers }, body: '{"query":"{ viewer { name } }"}' });
    const latin1 = await post({ 'content-type': 'application/json; charset=latin1' });
    expect(latin1.status).toBe(415);
    expect(await latin1.json()).toEqual({ errors: [{ message: 'request body must be UTF-8 JSON: unsupported charset', extensions: { code: 'BAD_USER_INPUT' } }] });
    const zipped = await post({ 'content-type': 'application/json', 'content-encoding': 'zstd-nope' });
    expect(zipped.status).toBe(415);
    expect(((await zipped.json()) as { errors: { message: string }[] }).errors[0].message).toMatch(/without compression or with gzip/);
  });

  it('answers a path it does not serve with a JSON NOT_FOUND, not an HTML page', async () => {
    const response = await fetch(`${gateway.origin}/graphq`, { headers: { authorization: `Bearer ${demo.resonance.token}` } });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(await response.json()).toEqual({
      errors: [{ message: 'GET /graphq: nothing here; GraphQL is served at /graphql', extensions: { code: 'NOT_FOUND' } }],
    });
  });

  it('serves /healthz and /readyz', async () => {
    const health = await fetch(`${gateway.origin}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${gateway.origin}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });

  it('echoes a request id in every response', async () => {
    const response = await fetch(`${gateway.origin}/healthz`, { headers: { 'x-request-id': 'trace-123' } });
    expect(response.headers.get('x-request-id')).toBe('trace-123');
  });
});
