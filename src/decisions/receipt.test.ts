import { createPublicKey, generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { generateReceiptKey, ReceiptSigner } from './receipt';

function publicJwkOf(privatePem: string): JsonWebKey {
  return createPublicKey(privatePem).export({ format: 'jwk' });
}

function signerWith(publishedKeys: unknown, signingKey = generateReceiptKey()) {
  return new ReceiptSigner({ signingKey, publishedKeys: typeof publishedKeys === 'string' ? publishedKeys : JSON.stringify(publishedKeys) });
}

describe('published receipt keys (RECEIPT_PUBLISHED_KEYS)', () => {
  it('are published after the signing key, named by their thumbprint unless they name a kid', async () => {
    const { calculateJwkThumbprint } = await import('jose');
    const retired = publicJwkOf(generateReceiptKey());
    const named = { ...publicJwkOf(generateReceiptKey()), kid: 'receipts-2025' };
    const signer = signerWith({ keys: [retired, named] });
    const { keys } = signer.jwks();
    expect(keys.map((key) => key.kid)).toEqual([signer.keyId, await calculateJwkThumbprint(retired as never), 'receipts-2025']);
    expect(keys[1]).toEqual({ kty: 'EC', crv: 'P-256', x: retired.x, y: retired.y, kid: keys[1].kid, alg: 'ES256', use: 'sig' });
  });

  it('publish the signing key once when the set already holds it', () => {
    const signingKey = generateReceiptKey();
    const current = new ReceiptSigner({ signingKey }).jwks();
    expect(signerWith(current, signingKey).jwks()).toEqual(current);
  });

  it.each([
    ['not JSON', '{keys:', /not JSON/],
    ['not a JWK Set', [], /expected a JWK Set/],
    ['a private key', { keys: [generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ format: 'jwk' })] }, /keys\[0\] holds a private key/],
    ['another curve', { keys: [generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey.export({ format: 'jwk' })] }, /not an EC P-256 key/],
    ['an RSA key', { keys: [generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' })] }, /not an EC P-256 key/],
    ['a point off the curve', { keys: [{ ...publicJwkOf(generateReceiptKey()), y: publicJwkOf(generateReceiptKey()).x }] }, /not a valid P-256 public key/],
    ['another algorithm', { keys: [{ ...publicJwkOf(generateReceiptKey()), alg: 'ES384' }] }, /for ES384, not ES256/],
    ['an empty kid', { keys: [{ ...publicJwkOf(generateReceiptKey()), kid: '' }] }, /kid must be a non-empty string/],
    ['an encryption key', { keys: [{ ...publicJwkOf(generateReceiptKey()), use: 'enc' }] }, /is for use "enc", not "sig"/],
  ])('refuse %s, at start', (_case, publishedKeys, message) => {
    expect(() => signerWith(publishedKeys)).toThrow(message);
  });

  it('refuse one kid for two different keys', () => {
    const signingKey = generateReceiptKey();
    const { keyId } = new ReceiptSigner({ signingKey });
    expect(() => signerWith({ keys: [{ ...publicJwkOf(generateReceiptKey()), kid: keyId }] }, signingKey)).toThrow(`kid "${keyId}" is the signing key's`);
    const other = { ...publicJwkOf(generateReceiptKey()), kid: 'twice' };
    expect(() => signerWith({ keys: [other, { ...publicJwkOf(generateReceiptKey()), kid: 'twice' }] })).toThrow('kid "twice" names two different keys');
  });

  it('keep every retired key published across rotations made as the README says', () => {
    let signingKey = generateReceiptKey();
    let signer = new ReceiptSigner({ signingKey });
    const kids = [signer.keyId];
    const publishedKids = (of: ReceiptSigner) => of.jwks().keys.map((key) => key.kid).sort();
    for (const next of [generateReceiptKey(), generateReceiptKey()]) {
      // Step 1: the JWKS served now plus the next key's public half, on every replica.
      const { kty, crv, x, y } = publicJwkOf(next);
      const publishedKeys = JSON.stringify({ keys: [...signer.jwks().keys, { kty, crv, x, y }] });
      const beforeSwitch = new ReceiptSigner({ signingKey, publishedKeys });
      // Step 2: the next key signs; the published set stays as it is.
      signingKey = next;
      signer = new ReceiptSigner({ signingKey, publishedKeys });
      kids.push(signer.keyId);
      expect(publishedKids(beforeSwitch)).toEqual([...kids].sort());
      expect(publishedKids(signer)).toEqual([...kids].sort());
    }
    expect(new Set(kids).size).toBe(3);
  });
});
