import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TEST_JWT } from './gateway';

const ROOT = path.resolve(__dirname, '../..');

/** Compiles the project (as `npm run build` does) into a temporary folder that resolves node_modules. */
export function compileGateway(): string {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'accord-build-'));
  execFileSync(path.join(ROOT, 'node_modules/.bin/tsc'), ['-p', path.join(ROOT, 'tsconfig.json'), '--outDir', outDir], {
    stdio: 'pipe',
  });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(outDir, 'node_modules'), 'dir');
  return outDir;
}

export interface ChildGateway {
  url: string;
  process: ChildProcess;
  /** Everything the process printed, for diagnosis. */
  output(): string;
  stop(): Promise<void>;
}

/** A gateway process started as `npm start` starts one (dist/src/main.js), with the given environment. */
export async function startGatewayProcess(mainScript: string, env: Record<string, string>): Promise<ChildGateway> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'accord-child-'));
  const child = spawn(process.execPath, [mainScript], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', ACCORD_DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway process did not start:\n${output}`)), 30_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Accord gateway: (\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`gateway process exited with ${code}:\n${output}`));
    });
  });
  return {
    url,
    process: child,
    output: () => output,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A second gateway process on the test database, trusting the test tokens. */
export function startChildGateway(outDir: string, databaseUrl: string): Promise<ChildGateway> {
  return startGatewayProcess(path.join(outDir, 'src/main.js'), {
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_SIZE: '4',
    JWT_ISSUER: TEST_JWT.issuer,
    JWT_AUDIENCE: TEST_JWT.audience,
    JWT_SECRET: TEST_JWT.secret!,
  });
}
