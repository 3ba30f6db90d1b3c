import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/**
 * Runs a named prepared statement on the DataSource's own pool: PostgreSQL parses and plans it once per
 * connection instead of on every call. Worth it for hot statements whose planning costs more than their
 * execution (a decision about one work plans in ~2 ms and runs in ~0.3 ms). Logged like every other
 * statement, so the statement counter sees it. Outside a transaction only.
 */
export async function queryPrepared<Row>(dataSource: DataSource, name: string, text: string, values: unknown[]): Promise<Row[]> {
  // `master` is TypeORM's pg Pool for the primary (typed `any` by TypeORM).
  const pool = (dataSource.driver as PostgresDriver).master as Pool;
  dataSource.logger.logQuery(text, values);
  const result = await pool.query<Row & object>({ name, text, values });
  return result.rows;
}
