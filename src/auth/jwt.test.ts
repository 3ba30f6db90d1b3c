import { createHmac, generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';
import { AuthenticationError, ErrorCode } from '../common/errors';
import type { JwtSettings } from '../config';
import { mintToken, parseBearer, TokenVerifier } from './jwt';

const ISSUER = 'accord-unit';
const AUDIENCE = 'accord-unit-gateway';
const SECRET = 'unit-test-secret-that-is-long-enough';
const HS: JwtSettings = { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'], secret: SECRET };

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaPublicPem = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const RS: JwtSettings = { issuer: ISSUER, audience: AUDIENCE, algorithms: ['RS256'], publicKey: rsaPublicPem };

const now = () => Math.floor(Date.now() / 1000);
const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
const claims = (extra: object = {}) => ({ sub: 'partner-1', iss: ISSUER, aud: AUDIENCE, exp: now() + 600, ...extra });

function signHs(payload: object, secret = SECRET): string {
  return jwt.sign(payload, secret, { algorithm: 'HS256' });
}

async function expectRefused(verifier: TokenVerifier, token: string, message: string): Promise<void> {
  const error = await verifier.verify(token).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AuthenticationError);
  expect(error).toMatchObject({ code: ErrorCode.UNAUTHENTICATED, message });
}

describe('TokenVerifier with an HS256 secret', () => {
  const verifier = new TokenVerifier(HS);

  it('accepts a valid token and returns the partner and expiry', async () => {
    const exp = now() + 600;
    await expect(verifier.verify(signHs(claims({ exp })))).resolves.toEqual({
      partnerId: 'partner-1',
      expiresAt: new Date(exp * 1000),
    });
  });

  it('accepts a token from mintToken', async () => {
    const { partnerId, expiresAt } = await verifier.verify(mintToken(HS, 'partner-2', 60));
    expect(partnerId).toBe('partner-2');
    expect(expiresAt.getTime()).toBeGreaterThan(Date.now());
  });

  it('refuses a token without exp', () => {
    const { exp: _exp, ...withoutExp } = claims();
    return expectRefused(verifier, signHs(withoutExp), 'token has no exp claim');
  });

  it('refuses an expired token', () => expectRefused(verifier, signHs(claims({ exp: now() - 60 })), 'token expired'));

  it('refuses a token signed with another secret', () =>
    expectRefused(verifier, signHs(claims(), 'some-other-secret-of-decent-length'), 'token signature is invalid'));

  it('refuses alg: none', () => {
    const unsigned = `${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims())}.`;
    return expectRefused(verifier, unsigned, 'token algorithm is not accepted');
  });

  it('refuses a wrong issuer', () => expectRefused(verifier, signHs(claims({ iss: 'someone-else' })), 'token issuer is not accepted'));

  it('refuses a wrong audience', () => expectRefused(verifier, signHs(claims({ aud: 'another-api' })), 'token audience is not accepted'));

  it('refuses a malformed token string', () => expectRefused(verifier, 'not.a.jwt', 'token is malformed'));

  it('refuses a token without sub', () => {
    const { sub: _sub, ...withoutSub } = claims();
    return expectRefused(verifier, signHs(withoutSub), 'token has no sub claim');
  });
});

describe('TokenVerifier with an RS256 public key', () => {
  const verifier = new TokenVerifier(RS);

  it('accepts a token signed with the private key', async () => {
    const exp = now() + 600;
    const token = jwt.sign(claims({ exp }), rsa.privateKey, { algorithm: 'RS256' });
    await expect(verifier.verify(token)).resolves.toEqual({ partnerId: 'partner-1', expiresAt: new Date(exp * 1000) });
  });

  it('refuses an HS256 token whose HMAC secret is the public key PEM (key confusion)', () => {
    const head = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims())}`;
    const forged = `${head}.${createHmac('sha256', rsaPublicPem).update(head).digest('base64url')}`;
    return expectRefused(verifier, forged, 'token algorithm is not accepted');
  });
});

describe('TokenVerifier with a JWKS URL (ES256)', () => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = { ...ec.publicKey.export({ format: 'jwk' }), kid: 'es-key-1', alg: 'ES256', use: 'sig' };
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  let verifier: TokenVerifier;

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    verifier = new TokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['ES256'],
      jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    });
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('accepts a token signed with the key its kid names', async () => {
    const exp = now() + 600;
    const token = jwt.sign(claims({ exp }), ec.privateKey, { algorithm: 'ES256', keyid: 'es-key-1' });
    await expect(verifier.verify(token)).resolves.toEqual({ partnerId: 'partner-1', expiresAt: new Date(exp * 1000) });
  });

  it('refuses a token whose kid is not in the JWKS', () => {
    const token = jwt.sign(claims(), ec.privateKey, { algorithm: 'ES256', keyid: 'unknown-key' });
    return expectRefused(verifier, token, 'token kid is not a known key');
  });
});

describe('TokenVerifier configuration', () => {
  it('requires exactly one key source', () => {
    expect(() => new TokenVerifier({ issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] })).toThrow(/JWT_SECRET/);
    expect(() => new TokenVerifier({ ...RS, secret: SECRET })).toThrow(/exactly one of JWT_SECRET, JWT_PUBLIC_KEY, JWT_JWKS_URL/);
  });

  it('refuses HS256 beside a public key', () => {
    expect(() => new TokenVerifier({ ...RS, algorithms: ['RS256', 'HS256'] })).toThrow(/HS256 cannot be used with JWT_PUBLIC_KEY/);
  });
});

describe('parseBearer', () => {
  it('returns the token of a Bearer header, whatever the case of the scheme', () => {
    expect(parseBearer('Bearer abc.def.ghi')).toBe('abc.def.ghi');
    expect(parseBearer('bearer abc.def.ghi')).toBe('abc.def.ghi');
  });

  it('returns undefined when the header is absent', () => {
    expect(parseBearer(undefined)).toBeUndefined();
  });

  it.each([['Basic YTpi'], ['Bearer'], ['Bearer '], ['Bearer a b'], ['abc.def.ghi']])('refuses %p', (header) => {
    let error: unknown;
    try {
      parseBearer(header);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ code: ErrorCode.UNAUTHENTICATED, message: "authorization header must be 'Bearer <token>'" });
  });
});
