import path from 'node:path';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { buildDataSource } from '../../ormconfig';
import type { Settings } from '../config';
import { AdvisoryLock } from './advisory-locks';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './embedded';

export interface Database {
  dataSource: DataSource;
  url: string;
  embedded?: EmbeddedDatabase;
  close(): Promise<void>;
}

const EMBEDDED_DATABASE = 'accord';

export async function createDatabaseIfMissing(adminUrl: string, name: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}

/** Applies pending migrations, forward only. Replicas starting together wait for each other. */
export async function migrate(dataSource: DataSource): Promise<void> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [AdvisoryLock.MIGRATIONS]);
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [AdvisoryLock.MIGRATIONS]).catch(() => undefined);
    await runner.release();
  }
}

/** `DATABASE_URL` when set; otherwise an embedded PostgreSQL kept under the data folder. */
export async function openDatabase(settings: Settings): Promise<Database> {
  let embedded: EmbeddedDatabase | undefined;
  let url = settings.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres(path.join(settings.dataDir, 'pg'), settings.embeddedPgPort);
    await createDatabaseIfMissing(embedded.adminUrl, EMBEDDED_DATABASE);
    url = embedded.urlFor(EMBEDDED_DATABASE);
  }
  const dataSource = buildDataSource(url, settings.databasePoolSize);
  try {
    await dataSource.initialize();
    await migrate(dataSource);
  } catch (error) {
    if (dataSource.isInitialized) await dataSource.destroy();
    await embedded?.stop();
    throw error;
  }
  return {
    dataSource,
    url,
    embedded,
    async close() {
      if (dataSource.isInitialized) await dataSource.destroy();
      await embedded?.stop();
    },
  };
}
