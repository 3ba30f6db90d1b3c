import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import jwt, { type GetPublicKeyOrSecret, type JwtPayload } from 'jsonwebtoken';
import jwksRsa from 'jwks-rsa';
import { AuthenticationError } from '../common/errors';
import { SettingsError, type JwtSettings } from '../config';

export interface VerifiedToken {
  partnerId: string;
  expiresAt: Date;
}

const SYMMETRIC = /^HS/;
const ASYMMETRIC = /^(RS|PS|ES)/;

/** A key callback failure we raised ourselves, so its message survives jsonwebtoken's wrapping. */
class KeyLookupError extends Error {}

/**
 * Checks partner bearer tokens: signature with the one configured key source, pinned algorithms,
 * `iss`, `aud`, and the `sub` and `exp` claims that Accord requires. Every refusal is an
 * AuthenticationError whose message says what was wrong and nothing about the key.
 */
export class TokenVerifier {
  private readonly key: KeyObject | undefined;
  private readonly jwks: jwksRsa.JwksClient | undefined;

  constructor(private readonly settings: JwtSettings) {
    const sources = [
      settings.secret && 'JWT_SECRET',
      settings.publicKey && 'JWT_PUBLIC_KEY',
      settings.jwksUrl && 'JWT_JWKS_URL',
    ].filter(Boolean);
    if (sources.length === 0) {
      throw new SettingsError('No JWT key configured: set JWT_PUBLIC_KEY or JWT_JWKS_URL (RS256/ES256), or JWT_SECRET (HS256, local use)');
    }
    if (sources.length > 1) {
      throw new SettingsError(`Set exactly one of JWT_SECRET, JWT_PUBLIC_KEY, JWT_JWKS_URL (found ${sources.join(' and ')})`);
    }
    if (settings.algorithms.length === 0) throw new SettingsError('JWT_ALGORITHMS is empty: pin at least one algorithm');
    // Key confusion: if a public key could also serve as an HMAC secret, anyone holding the (public)
    // key could forge tokens. So a secret pins HMAC algorithms only, a public key asymmetric ones only.
    const family = settings.secret ? SYMMETRIC : ASYMMETRIC;
    const misfit = settings.algorithms.filter((algorithm) => !family.test(algorithm));
    if (misfit.length) {
      throw new SettingsError(
        settings.secret
          ? `JWT_ALGORITHMS: ${misfit.join(', ')} cannot be used with JWT_SECRET (HS256 only)`
          : `JWT_ALGORITHMS: ${misfit.join(', ')} cannot be used with ${sources[0]} (RS256 or ES256 only)`,
      );
    }

    if (settings.secret) {
      // A KeyObject of type "secret", so jsonwebtoken never reinterprets the string as a PEM key.
      this.key = createSecretKey(Buffer.from(settings.secret));
    } else if (settings.publicKey) {
      try {
        this.key = createPublicKey(settings.publicKey);
      } catch {
        throw new SettingsError('JWT_PUBLIC_KEY is not a valid PEM public key');
      }
    } else {
      this.jwks = jwksRsa({ jwksUri: settings.jwksUrl!, cache: true, rateLimit: true, jwksRequestsPerMinute: 10, timeout: 5000 });
    }
  }

  async verify(token: string): Promise<VerifiedToken> {
    if (typeof token !== 'string' || token.split('.').length !== 3) throw new AuthenticationError('token is malformed');
    let decoded: jwt.Jwt | null;
    try {
      decoded = jwt.decode(token, { complete: true });
    } catch {
      decoded = null;
    }
    if (!decoded || typeof decoded.payload !== 'object' || typeof decoded.header.alg !== 'string') {
      throw new AuthenticationError('token is malformed');
    }
    // Checked before any key lookup: `none` and unpinned algorithms never reach the JWKS endpoint.
    if (!(this.settings.algorithms as string[]).includes(decoded.header.alg)) {
      throw new AuthenticationError('token algorithm is not accepted');
    }

    const payload = await new Promise<JwtPayload>((resolve, reject) => {
      jwt.verify(
        token,
        this.keyFor(),
        { algorithms: this.settings.algorithms, issuer: this.settings.issuer, audience: this.settings.audience },
        (error, verified) => (error ? reject(refusal(error)) : resolve(verified as JwtPayload)),
      );
    });

    if (typeof payload.exp !== 'number') throw new AuthenticationError('token has no exp claim');
    if (typeof payload.sub !== 'string' || payload.sub === '') throw new AuthenticationError('token has no sub claim');
    return { partnerId: payload.sub, expiresAt: new Date(payload.exp * 1000) };
  }

  private keyFor(): GetPublicKeyOrSecret {
    const { key, jwks } = this;
    if (key) return (_header, done) => done(null, key);
    return (header, done) => {
      if (!header.kid) return done(new KeyLookupError('token has no kid header'));
      jwks!.getSigningKey(header.kid).then(
        (signingKey) => done(null, signingKey.getPublicKey()),
        (error: Error) =>
          done(
            new KeyLookupError(
              error.name === 'SigningKeyNotFoundError' ? 'token kid is not a known key' : 'token signing keys could not be fetched',
            ),
          ),
      );
    };
  }
}

/** Translates jsonwebtoken's errors into short messages safe to send to the client. */
function refusal(error: Error): AuthenticationError {
  if (error instanceof jwt.TokenExpiredError) return new AuthenticationError('token expired');
  if (error instanceof jwt.NotBeforeError) return new AuthenticationError('token is not valid yet');
  const message = error.message;
  // jsonwebtoken wraps key callback errors as "error in secret or public key callback: <message>".
  const fromKey = /^error in secret or public key callback: (.*)$/.exec(message);
  if (fromKey) return new AuthenticationError(fromKey[1]);
  if (message === 'invalid signature') return new AuthenticationError('token signature is invalid');
  if (message === 'jwt signature is required') return new AuthenticationError('token signature is missing');
  if (message === 'invalid algorithm') return new AuthenticationError('token algorithm is not accepted');
  if (message.startsWith('jwt issuer invalid')) return new AuthenticationError('token issuer is not accepted');
  if (message.startsWith('jwt audience invalid')) return new AuthenticationError('token audience is not accepted');
  if (message === 'invalid exp value') return new AuthenticationError('token exp claim is not a number');
  if (message === 'invalid nbf value') return new AuthenticationError('token nbf claim is not a number');
  // Key type does not fit the algorithm (e.g. an ES256 token whose JWKS kid names an RSA key).
  if (/key type|symmetric key|requires curve/.test(message)) {
    return new AuthenticationError('token algorithm does not match its key');
  }
  if (error instanceof jwt.JsonWebTokenError) return new AuthenticationError('token is malformed');
  return new AuthenticationError('token is invalid');
}

/** Signs a local HS256 token for a partner (demo data, `npm run token`, tests). */
export function mintToken(settings: JwtSettings, partnerId: string, ttlSeconds = 30 * 24 * 3600): string {
  if (!settings.secret) {
    throw new Error('mintToken signs local HS256 tokens only: set JWT_SECRET (tokens for a public key are issued by its key holder)');
  }
  return jwt.sign({}, settings.secret, {
    algorithm: 'HS256',
    subject: partnerId,
    issuer: settings.issuer,
    audience: settings.audience,
    expiresIn: ttlSeconds,
  });
}

/** The token of an `Authorization: Bearer <token>` header; undefined when there is no header. */
export function parseBearer(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer +(\S+)$/i.exec(header.trim());
  if (!match) throw new AuthenticationError("authorization header must be 'Bearer <token>'");
  return match[1];
}
