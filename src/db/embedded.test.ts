import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './embedded';

async function query(url: string, sql: string): Promise<unknown[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

/** A port taken by another listener, for the server to fail on. */
async function occupiedPort(): Promise<{ port: number; release(): Promise<void> }> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return { port, release: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('embedded PostgreSQL', () => {
  let root: string;
  let directory: string;
  let first: EmbeddedDatabase | undefined;

  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'accord-embedded-'));
    // Under root the server runs as the `postgres` user, which must be able to write here.
    fs.chmodSync(root, 0o777);
    directory = path.join(root, 'pg');
  });

  afterAll(async () => {
    await first?.stop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('joins the server already running on its folder (`npm run token` while `npm start` runs), and leaves it running', async () => {
    first = await startEmbeddedPostgres(directory);
    await query(first.adminUrl, 'CREATE TABLE shared_marker (n int); INSERT INTO shared_marker VALUES (42)');

    const second = await startEmbeddedPostgres(directory);
    expect(second.adminUrl).toBe(first.adminUrl);
    expect(await query(second.adminUrl, 'SELECT n FROM shared_marker')).toEqual([{ n: 42 }]);

    await second.stop();
    expect(await query(first.adminUrl, 'SELECT n FROM shared_marker')).toEqual([{ n: 42 }]);
  });

  it('says where and why when the server cannot start, instead of rejecting with nothing', async () => {
    await first?.stop();
    first = undefined;
    const taken = await occupiedPort();
    try {
      const failure = startEmbeddedPostgres(directory, taken.port);
      await expect(failure).rejects.toThrow(`embedded PostgreSQL did not start in ${directory} on port ${taken.port}`);
      await expect(failure).rejects.toThrow(/could not (bind|create)/);
    } finally {
      await taken.release();
    }
  });
});
