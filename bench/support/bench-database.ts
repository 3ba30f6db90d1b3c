import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres } from '../../src/db/embedded';

export interface BenchDatabase {
  url: string;
  /** What it runs on, for the record. */
  description: string;
  /** pg_xact_commit_timestamp() works: latency can be measured from the commit itself. */
  commitTimestamps: boolean;
  close(): Promise<void>;
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * A fresh database for one run: on DATABASE_URL's server when set (its role needs CREATEDB), else on an
 * embedded PostgreSQL in a temporary folder, started with commit timestamps on.
 */
export async function createBenchDatabase(): Promise<BenchDatabase> {
  const name = `accord_bench_${process.pid}`;
  let adminUrl = process.env.DATABASE_URL;
  let stopServer = async () => {};
  if (!adminUrl) {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'accord-bench-'));
    fs.chmodSync(directory, 0o777);
    const server = await startEmbeddedPostgres(path.join(directory, 'pg'), 0, ['track_commit_timestamp=on', 'max_connections=200']);
    adminUrl = server.adminUrl;
    stopServer = async () => {
      await server.stop();
      fs.rmSync(directory, { recursive: true, force: true });
    };
  }
  const { version, commitTimestamps } = await withClient(adminUrl, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${name}`);
    await client.query(`CREATE DATABASE ${name}`);
    const [{ server_version }] = (await client.query('SHOW server_version')).rows;
    const [{ track_commit_timestamp }] = (await client.query('SHOW track_commit_timestamp')).rows;
    return { version: server_version as string, commitTimestamps: track_commit_timestamp === 'on' };
  });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    description: `${process.env.DATABASE_URL ? 'PostgreSQL at DATABASE_URL' : 'embedded PostgreSQL'} ${version}`,
    commitTimestamps,
    async close() {
      await withClient(adminUrl!, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      await stopServer();
    },
  };
}
