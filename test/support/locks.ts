import type { DataSource, QueryRunner } from 'typeorm';

export async function waitUntil(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 10));
}

/** Backends of this test's database waiting for a lock another transaction holds. */
export async function lockWaiters(dataSource: DataSource): Promise<number> {
  const [{ count }] = await dataSource.query(
    `SELECT count(*)::int AS count FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
  );
  return count;
}

/** Another transaction, open after running `statement` (which takes the locks to hold); end it with commit or rollback. */
export async function holdingTransaction(dataSource: DataSource, statement: string, parameters: unknown[]): Promise<QueryRunner> {
  const holder = dataSource.createQueryRunner();
  await holder.connect();
  await holder.startTransaction();
  await holder.query(statement, parameters);
  return holder;
}
