import path from 'node:path';
import bytes from 'bytes';
import type { Algorithm } from 'jsonwebtoken';

/**
 * Every setting the gateway reads from the environment, in one place. README's configuration table
 * lists the same names and defaults.
 */
export interface JwtSettings {
  issuer: string;
  audience: string;
  /** Pinned algorithms: a token signed with anything else is refused. */
  algorithms: Algorithm[];
  secret?: string;
  publicKey?: string;
  jwksUrl?: string;
}

/** The gateway's ES256 key for decision receipts (PKCS#8 PEM private key) and its JWK key id. */
export interface ReceiptSettings {
  signingKey?: string;
  keyId?: string;
  /** A JWK Set of further public keys to publish (retired or next keys), as JSON. */
  publishedKeys?: string;
}

/** The change feed, subscriptions and outbox retention. */
export interface ChangeSettings {
  /** Outbox rows older than this are pruned; a cursor before the pruned rows must resynchronize. */
  retentionHours: number;
  pruneIntervalMs: number;
  /** Live events held for one subscription that does not keep up; one more disconnects it. */
  subscriberBufferEvents: number;
  /** Reads the outbox even without a notification, in case one was lost. */
  feedPollMs: number;
  /** Re-reads each connected partner (mandates, suspension) at least this often. */
  viewerRefreshMs: number;
}

export interface Settings {
  production: boolean;
  host: string;
  port: number;
  /** Unset: run on an embedded PostgreSQL kept in `dataDir`. */
  databaseUrl?: string;
  /** Connections per process. */
  databasePoolSize: number;
  dataDir: string;
  embeddedPgPort: number;
  bodyLimit: string;
  /** Cost points each partner may spend per minute, across all replicas. */
  costBudgetPerMinute: number;
  logLevel: string;
  jwt: JwtSettings;
  receipt: ReceiptSettings;
  changes: ChangeSettings;
  /** A folder of per-partner persisted-operation manifests; unset: no partner is restricted. */
  operationSafelistDir?: string;
}

/** A setting the gateway cannot start with; `npm start` prints its message alone, without a stack. */
export class SettingsError extends Error {
  override name = 'SettingsError';
}

const ASYMMETRIC: Algorithm[] = ['RS256', 'ES256'];

function parseAlgorithms(value: string | undefined, fallback: Algorithm[]): Algorithm[] {
  if (!value) return fallback;
  const algorithms = value.split(',').map((a) => a.trim()) as Algorithm[];
  for (const algorithm of algorithms) {
    if (!['HS256', ...ASYMMETRIC].includes(algorithm)) {
      throw new SettingsError(`JWT_ALGORITHMS: ${algorithm} is not supported (HS256, RS256, ES256)`);
    }
  }
  return algorithms;
}

function positiveNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new SettingsError(`${name} must be a positive number (got "${value}")`);
  return number;
}

function portNumber(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0 || number > 65535) throw new SettingsError(`${name} must be a port number, 0 to 65535 (got "${value}")`);
  return number;
}

/** A size as Express reads it ("10mb"); Express would refuse a bad one with a bare TypeError, and 0 refuses every body. */
function byteSize(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const value = env[name] || fallback;
  const size = bytes.parse(value);
  if (size === null || !(size > 0)) throw new SettingsError(`${name} must be a size such as 10mb or 500kb (got "${value}")`);
  return value;
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const publicKey = env.JWT_PUBLIC_KEY?.replace(/\\n/g, '\n');
  const asymmetric = Boolean(publicKey || env.JWT_JWKS_URL);
  const algorithms = parseAlgorithms(env.JWT_ALGORITHMS, asymmetric ? ASYMMETRIC : ['HS256']);
  if (asymmetric && algorithms.includes('HS256')) {
    // A public key must never double as an HMAC secret: that is the classic key-confusion attack.
    throw new SettingsError('JWT_ALGORITHMS may not include HS256 when JWT_PUBLIC_KEY or JWT_JWKS_URL is set');
  }
  return {
    production: env.NODE_ENV === 'production',
    host: env.HOST ?? '127.0.0.1',
    port: portNumber(env, 'PORT', 4000),
    databaseUrl: env.DATABASE_URL || undefined,
    databasePoolSize: Math.floor(positiveNumber(env, 'DATABASE_POOL_SIZE', 10)),
    dataDir: path.resolve(env.ACCORD_DATA_DIR ?? '.data'),
    embeddedPgPort: portNumber(env, 'EMBEDDED_PG_PORT', 0),
    bodyLimit: byteSize(env, 'BODY_LIMIT', '10mb'),
    costBudgetPerMinute: Math.floor(positiveNumber(env, 'COST_BUDGET_PER_MINUTE', 300_000)),
    logLevel: env.LOG_LEVEL ?? (env.NODE_ENV === 'test' ? 'silent' : 'info'),
    jwt: {
      issuer: env.JWT_ISSUER ?? 'accord-local',
      audience: env.JWT_AUDIENCE ?? 'accord-gateway',
      algorithms,
      secret: env.JWT_SECRET || undefined,
      publicKey: publicKey || undefined,
      jwksUrl: env.JWT_JWKS_URL || undefined,
    },
    receipt: {
      signingKey: env.RECEIPT_SIGNING_KEY?.replace(/\\n/g, '\n') || undefined,
      keyId: env.RECEIPT_KEY_ID || undefined,
      publishedKeys: env.RECEIPT_PUBLISHED_KEYS || undefined,
    },
    operationSafelistDir: env.OPERATION_SAFELIST_DIR ? path.resolve(env.OPERATION_SAFELIST_DIR) : undefined,
    changes: {
      retentionHours: positiveNumber(env, 'OUTBOX_RETENTION_HOURS', 168),
      pruneIntervalMs: positiveNumber(env, 'OUTBOX_PRUNE_INTERVAL_SECONDS', 600) * 1000,
      subscriberBufferEvents: Math.max(1, Math.floor(positiveNumber(env, 'SUBSCRIPTION_BUFFER_EVENTS', 1000))),
      feedPollMs: positiveNumber(env, 'CHANGE_FEED_POLL_SECONDS', 2) * 1000,
      viewerRefreshMs: positiveNumber(env, 'SUBSCRIPTION_VIEWER_REFRESH_SECONDS', 60) * 1000,
    },
  };
}
