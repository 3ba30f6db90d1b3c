import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { buildDataSource } from '../../ormconfig';

export interface TestDatabase {
  dataSource: DataSource;
  url: string;
  drop(): Promise<void>;
}

async function admin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: process.env.ACCORD_TEST_ADMIN_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A fresh, fully migrated database of the test file's own, cloned from the template. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `accord_test_${randomBytes(6).toString('hex')}`;
  await admin((client) => client.query(`CREATE DATABASE ${name} TEMPLATE ${process.env.ACCORD_TEST_TEMPLATE}`));
  const url = new URL(process.env.ACCORD_TEST_ADMIN_URL!);
  url.pathname = `/${name}`;
  const dataSource = buildDataSource(url.toString());
  await dataSource.initialize();
  return {
    dataSource,
    url: url.toString(),
    async drop() {
      if (dataSource.isInitialized) await dataSource.destroy();
      await admin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}
