/**
 * The advisory locks the gateway takes, in one place so that no two uses share a key by accident.
 * Single bigint keys: the constants below, and hashed strings with a prefix (usage report idempotency
 * keys). Two-int keys (namespace, hash of the subject) are a key space of their own in PostgreSQL.
 */
export const AdvisoryLock = {
  /** One replica at a time applies migrations. */
  MIGRATIONS: 7_306_001,
  /** One replica at a time prunes the outbox. */
  OUTBOX_PRUNING: 7_306_002,
} as const;

export const AdvisoryNamespace = {
  /** registerWorks: per work or artist key, bucketed. */
  WORK_REGISTRATION: 1,
  /** A partner's writes (shared) against its suspension or a revocation of its mandates (exclusive). */
  PARTNER_WRITES: 2,
} as const;
