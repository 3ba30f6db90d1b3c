import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/**
 * Runs one statement on the DataSource's own pg pool instead of through a TypeORM query runner, for the
 * hot paths. Outside a transaction only. Logged like every other statement, so the statement counter
 * sees it.
 *
 * - With a `name`, a prepared statement: PostgreSQL parses and plans it once per connection instead of
 *   on every call. Worth it for statements whose planning costs more than their execution (a decision
 *   about one work plans in ~2 ms and runs in ~0.3 ms).
 * - Without, for large answers: read through a query runner, every answer's rows (1,000 decisions:
 *   ~0.3 MB) were still held at the next young-generation collection, copied and promoted, which
 *   doubled the collections' pauses per request; read from the pool, they are not (BENCHMARKS.md,
 *   "Garbage collection").
 */
export async function queryOnPool<Row>(dataSource: DataSource, text: string, values: unknown[], name?: string): Promise<Row[]> {
  // `master` is TypeORM's pg Pool for the primary (typed `any` by TypeORM).
  const pool = (dataSource.driver as PostgresDriver).master as Pool;
  dataSource.logger.logQuery(text, values);
  const result = await pool.query<Row & object>(name === undefined ? { text, values } : { name, text, values });
  return result.rows;
}
