import type { Logger } from 'typeorm';

/**
 * A TypeORM logger that counts statements. Tests read the count to prove a query costs a constant number
 * of round trips whatever the page size; in production it only logs errors.
 */
export class QueryCounter implements Logger {
  private static count = 0;

  static reset(): void {
    QueryCounter.count = 0;
  }

  static get statements(): number {
    return QueryCounter.count;
  }

  logQuery(): void {
    QueryCounter.count += 1;
  }

  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}
