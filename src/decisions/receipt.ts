import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, type JsonWebKey, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { SettingsError, type ReceiptSettings, type Settings } from '../config';

/**
 * Decision receipts: compact JWS (ES256) that an AI partner keeps as proof of what it was told, and that
 * anyone verifies with the key published at /.well-known/jwks.json. Signed with node:crypto (no runtime
 * dependency); the payload is a JSON claims set, so standard JOSE/JWT libraries verify it as is.
 */
export interface ReceiptClaims {
  iss: string;
  iat: number;
  decisionId: string;
  partner: string;
  use: string;
  territory: string;
  at: string;
  evaluatedAt: string;
  count: number;
  digest: string;
}

export const RECEIPT_TYPE = 'accord-decision-receipt+jwt';

function base64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

/** An ES256 verification key as published: public coordinates only, named by `kid`. */
type PublishedKey = JsonWebKey & { kid: string };

/** RFC 7638 thumbprint: stable for a key, distinct across keys; the default key id. */
function thumbprint({ crv, kty, x, y }: JsonWebKey): string {
  return base64url(createHash('sha256').update(JSON.stringify({ crv, kty, x, y })).digest());
}

function published(jwk: JsonWebKey, kid: string): PublishedKey {
  const { kty, crv, x, y } = jwk;
  return { kty, crv, x, y, kid, alg: 'ES256', use: 'sig' };
}

/**
 * RECEIPT_PUBLISHED_KEYS: a JWK Set of further verification keys to publish beside the signing key's,
 * so receipts signed with a retired key stay verifiable, and the next key can be published before any
 * replica signs with it. Public P-256 keys only; `kid` defaults to the thumbprint, as for the signing key.
 */
function parsePublishedKeys(json: string): PublishedKey[] {
  const fail = (problem: string) => new SettingsError(`RECEIPT_PUBLISHED_KEYS: ${problem}`);
  let set: unknown;
  try {
    set = JSON.parse(json);
  } catch {
    throw fail('not JSON; expected a JWK Set, {"keys": [...]}');
  }
  const keys = (set as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw fail('expected a JWK Set, {"keys": [...]}');
  return keys.map((key: unknown, index) => {
    const jwk = key as JsonWebKey;
    if (typeof jwk !== 'object' || jwk === null) throw fail(`keys[${index}] is not a JWK`);
    // A private key pasted here would be served to anyone who asks.
    if ('d' in jwk) throw fail(`keys[${index}] holds a private key ("d"); publish public keys only`);
    if (jwk.kty !== 'EC' || jwk.crv !== 'P-256') throw fail(`keys[${index}] is not an EC P-256 key (ES256)`);
    if (jwk.alg !== undefined && jwk.alg !== 'ES256') throw fail(`keys[${index}] is for ${String(jwk.alg)}, not ES256`);
    if (jwk.use !== undefined && jwk.use !== 'sig') throw fail(`keys[${index}] is for use "${String(jwk.use)}", not "sig"`);
    try {
      createPublicKey({ key: jwk, format: 'jwk' });
    } catch {
      throw fail(`keys[${index}] is not a valid P-256 public key`);
    }
    if (jwk.kid !== undefined && (typeof jwk.kid !== 'string' || jwk.kid === '')) throw fail(`keys[${index}].kid must be a non-empty string`);
    return published(jwk, (jwk.kid as string | undefined) ?? thumbprint(jwk));
  });
}

export class ReceiptSigner {
  private readonly privateKey: KeyObject;
  readonly keyId: string;
  private readonly publishedKeys: PublishedKey[];
  private readonly header: string;

  constructor(settings: ReceiptSettings) {
    if (!settings.signingKey) throw new SettingsError('No receipt signing key: set RECEIPT_SIGNING_KEY (PKCS#8 PEM, EC P-256)');
    try {
      this.privateKey = createPrivateKey(settings.signingKey);
    } catch {
      throw new SettingsError('RECEIPT_SIGNING_KEY is not a valid PEM private key');
    }
    if (this.privateKey.asymmetricKeyType !== 'ec' || this.privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      throw new SettingsError('RECEIPT_SIGNING_KEY must be an EC P-256 key (ES256)');
    }
    const signingJwk = createPublicKey(this.privateKey).export({ format: 'jwk' });
    this.keyId = settings.keyId ?? thumbprint(signingJwk);
    this.publishedKeys = [published(signingJwk, this.keyId)];
    for (const key of settings.publishedKeys ? parsePublishedKeys(settings.publishedKeys) : []) {
      const same = this.publishedKeys.find((other) => other.kid === key.kid);
      // The set may be pasted from a JWKS that already holds the signing key: the same key is published once.
      if (same && (same.x !== key.x || same.y !== key.y)) {
        throw new SettingsError(
          same.kid === this.keyId
            ? `RECEIPT_PUBLISHED_KEYS: kid "${key.kid}" is the signing key's (RECEIPT_KEY_ID or its thumbprint), but names another key`
            : `RECEIPT_PUBLISHED_KEYS: kid "${key.kid}" names two different keys`,
        );
      }
      if (!same) this.publishedKeys.push(key);
    }
    this.header = base64url(JSON.stringify({ alg: 'ES256', kid: this.keyId, typ: RECEIPT_TYPE }));
  }

  sign(claims: ReceiptClaims): string {
    const signingInput = `${this.header}.${base64url(JSON.stringify(claims))}`;
    // JWS wants the raw r||s signature, not DER.
    const signature = sign('sha256', Buffer.from(signingInput), { key: this.privateKey, dsaEncoding: 'ieee-p1363' });
    return `${signingInput}.${signature.toString('base64url')}`;
  }

  /** The JWK Set served at /.well-known/jwks.json: the signing key first, then RECEIPT_PUBLISHED_KEYS. */
  jwks(): { keys: PublishedKey[] } {
    return { keys: this.publishedKeys.map((key) => ({ ...key })) };
  }
}

/** A fresh P-256 key as PKCS#8 PEM (local use and tests). */
export function generateReceiptKey(): string {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

/**
 * Outside production, with no key configured, the receipt key is generated once into the data folder so
 * receipts stay verifiable across restarts. Production must configure RECEIPT_SIGNING_KEY.
 */
export function withLocalReceiptKey(settings: Settings): Settings {
  if (settings.receipt.signingKey) return settings;
  if (settings.production) throw new SettingsError('Set RECEIPT_SIGNING_KEY: production never uses a generated receipt key');
  const file = path.join(settings.dataDir, 'receipt-signing-key.pem');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(settings.dataDir, { recursive: true });
    fs.writeFileSync(file, generateReceiptKey(), { mode: 0o600, flag: 'wx' });
  }
  return { ...settings, receipt: { ...settings.receipt, signingKey: fs.readFileSync(file, 'utf8') } };
}
