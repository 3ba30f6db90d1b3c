import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, type JsonWebKey, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ReceiptSettings, Settings } from '../config';

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

export class ReceiptSigner {
  private readonly privateKey: KeyObject;
  readonly keyId: string;
  private readonly publicJwk: JsonWebKey;
  private readonly header: string;

  constructor(settings: ReceiptSettings) {
    if (!settings.signingKey) throw new Error('No receipt signing key: set RECEIPT_SIGNING_KEY (PKCS#8 PEM, EC P-256)');
    try {
      this.privateKey = createPrivateKey(settings.signingKey);
    } catch {
      throw new Error('RECEIPT_SIGNING_KEY is not a valid PEM private key');
    }
    if (this.privateKey.asymmetricKeyType !== 'ec' || this.privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      throw new Error('RECEIPT_SIGNING_KEY must be an EC P-256 key (ES256)');
    }
    const { kty, crv, x, y } = createPublicKey(this.privateKey).export({ format: 'jwk' });
    // RFC 7638 thumbprint as the default key id: stable for a key, distinct across keys.
    this.keyId = settings.keyId ?? base64url(createHash('sha256').update(JSON.stringify({ crv, kty, x, y })).digest());
    this.publicJwk = { kty, crv, x, y, kid: this.keyId, alg: 'ES256', use: 'sig' };
    this.header = base64url(JSON.stringify({ alg: 'ES256', kid: this.keyId, typ: RECEIPT_TYPE }));
  }

  sign(claims: ReceiptClaims): string {
    const signingInput = `${this.header}.${base64url(JSON.stringify(claims))}`;
    // JWS wants the raw r||s signature, not DER.
    const signature = sign('sha256', Buffer.from(signingInput), { key: this.privateKey, dsaEncoding: 'ieee-p1363' });
    return `${signingInput}.${signature.toString('base64url')}`;
  }

  /** The JWK Set served at /.well-known/jwks.json. */
  jwks(): { keys: JsonWebKey[] } {
    return { keys: [this.publicJwk] };
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
  if (settings.production) throw new Error('Set RECEIPT_SIGNING_KEY: production never uses a generated receipt key');
  const file = path.join(settings.dataDir, 'receipt-signing-key.pem');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(settings.dataDir, { recursive: true });
    fs.writeFileSync(file, generateReceiptKey(), { mode: 0o600, flag: 'wx' });
  }
  return { ...settings, receipt: { ...settings.receipt, signingKey: fs.readFileSync(file, 'utf8') } };
}
