import { createHmac, generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { TestDatabase } from '../support/database';
import { startDemoGateway, stopDemoGateway } from '../support/demo-gateway';
import type { Demo } from '../support/demo';
import { startTestGateway, TEST_JWT, type TestGateway } from '../support/gateway';

let db: TestDatabase;
let gateway: TestGateway;
let demo: Demo;

const VIEWER = '{ viewer { name } }';
/** Signs like a partner's token issuer would; `withoutExp` leaves the exp claim out. */
function sign(payload: object, options: jwt.SignOptions & { withoutExp?: boolean } = {}, secret = TEST_JWT.secret!) {
  const { withoutExp, ...rest } = options;
  const defaults: jwt.SignOptions = { algorithm: 'HS256', issuer: TEST_JWT.issuer, audience: TEST_JWT.audience };
  return jwt.sign(payload, secret, { ...defaults, ...(withoutExp || 'exp' in payload ? {} : { expiresIn: 600 }), ...rest });
}

beforeAll(async () => ({ db, gateway, demo } = await startDemoGateway()));
afterAll(() => stopDemoGateway({ db, gateway }));

async function expectRefused(token: string | undefined, code: string, message: RegExp, authorization?: string) {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(authorization ? { authorization } : token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query: VIEWER }),
  });
  const body: any = await response.json(); // any: the response of the operation sent above
  expect(body.data).toBeUndefined();
  expect(body.errors[0].extensions.code).toBe(code);
  expect(body.errors[0].message).toMatch(message);
  expect(response.status).toBe(code === 'FORBIDDEN' ? 403 : 401);
  expect(JSON.stringify(body)).not.toMatch(/stack|at .*\.ts/);
}

describe('authentication', () => {
  it('accepts a valid token and answers as its partner', async () => {
    const { body } = await gateway.request(sign({ sub: demo.cadence.id }), VIEWER);
    expect(body.data).toEqual({ viewer: { name: 'Cadence Labs' } });
    expect(body.errors).toBeUndefined();
  });

  it('refuses a request without a token', () => expectRefused(undefined, 'UNAUTHENTICATED', /missing bearer token/));
  it('refuses a header that is not a bearer token', () =>
    expectRefused(undefined, 'UNAUTHENTICATED', /Bearer/, `Basic ${Buffer.from('a:b').toString('base64')}`));
  it('refuses a malformed token', () => expectRefused('not.a.jwt', 'UNAUTHENTICATED', /malformed/));
  it('refuses an expired token', () =>
    expectRefused(sign({ sub: demo.cadence.id, exp: Math.floor(Date.now() / 1000) - 60 }), 'UNAUTHENTICATED', /expired/));
  it('refuses a token without exp', () =>
    expectRefused(sign({ sub: demo.cadence.id }, { withoutExp: true }), 'UNAUTHENTICATED', /exp/));
  it('refuses a token signed with another secret', () =>
    expectRefused(sign({ sub: demo.cadence.id }, {}, 'some-other-secret-of-decent-length'), 'UNAUTHENTICATED', /signature/));
  it('refuses alg: none', () => {
    const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const unsigned = `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ sub: demo.cadence.id, iss: TEST_JWT.issuer, aud: TEST_JWT.audience, exp: now + 600 })}.`;
    return expectRefused(unsigned, 'UNAUTHENTICATED', /./);
  });
  it('refuses a wrong issuer', () => expectRefused(sign({ sub: demo.cadence.id }, { issuer: 'someone-else' }), 'UNAUTHENTICATED', /issuer/));
  it('refuses a wrong audience', () => expectRefused(sign({ sub: demo.cadence.id }, { audience: 'another-api' }), 'UNAUTHENTICATED', /audience/));
  it('refuses a token for an unknown partner', () =>
    expectRefused(sign({ sub: '00000000-0000-4000-8000-000000000000' }), 'UNAUTHENTICATED', /no known partner/));

  it('refuses a suspended partner with FORBIDDEN from its next request on, and reinstating restores access', async () => {
    const suspend = await gateway.request(
      demo.operations.token,
      `mutation($p: ID!) { suspendPartner(input: {partner: $p, reason: "audit"}) { name status } }`,
      { p: demo.cadence.globalId },
    );
    expect(suspend.body.data.suspendPartner).toEqual({ name: 'Cadence Labs', status: 'SUSPENDED' });
    await expectRefused(demo.cadence.token, 'FORBIDDEN', /suspended/);
    await gateway.request(demo.operations.token, `mutation($p: ID!) { reinstatePartner(input: {partner: $p, reason: "cleared"}) { status } }`, {
      p: demo.cadence.globalId,
    });
    const { body } = await gateway.request(demo.cadence.token, VIEWER);
    expect(body.data.viewer.name).toBe('Cadence Labs');
  });
});

describe('authentication with an RS256 public key (production mode)', () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  let rsGateway: TestGateway;

  beforeAll(async () => {
    rsGateway = await startTestGateway(db.dataSource, {
      jwt: { issuer: TEST_JWT.issuer, audience: TEST_JWT.audience, algorithms: ['RS256'], publicKey: publicPem },
    });
  });
  afterAll(() => rsGateway.close());

  it('accepts a token signed with the private key', async () => {
    const token = jwt.sign({ sub: demo.resonance.id }, privateKey, { algorithm: 'RS256', issuer: TEST_JWT.issuer, audience: TEST_JWT.audience, expiresIn: 60 });
    const { body } = await rsGateway.request(token, VIEWER);
    expect(body.data.viewer.name).toBe('Resonance AI');
  });

  it('refuses an HS256 token whose HMAC secret is the public key (key confusion)', async () => {
    const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const head = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({ sub: demo.resonance.id, iss: TEST_JWT.issuer, aud: TEST_JWT.audience, exp: now + 60 })}`;
    const forged = `${head}.${createHmac('sha256', publicPem).update(head).digest('base64url')}`;
    const { status, body } = await rsGateway.request(forged, VIEWER);
    expect(status).toBe(401);
    expect(body.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
  });
});
