import fs from 'node:fs';
import http from 'node:http';
import { AdvisoryNamespace } from '../../src/db/advisory-locks';
import { nextIsrc, REGISTER } from '../support/changes';
import { compileGateway, startChildGateway, type ChildGateway } from '../support/child-gateway';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedDemoPartners, type Demo } from '../support/demo';
import { startTestGateway, type Json } from '../support/gateway';
import { holdingTransaction, lockWaiters, waitUntil } from '../support/locks';
import { webSocketUrl } from '../support/subscriptions';
import WebSocket from 'ws';

let db: TestDatabase;
let outDir: string;
let demo: Demo;
let gateway: ChildGateway | undefined;

beforeAll(async () => {
  outDir = compileGateway();
  db = await createTestDatabase();
  demo = await seedDemoPartners(db.dataSource);
});
afterAll(async () => {
  await gateway?.stop();
  await db?.drop();
  if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  connection: string | undefined;
  body: Json;
}

/** POSTs as a partner's client with a keep-alive agent would: the agent reuses its idle connection. */
function post(url: string, agent: http.Agent, token: string, query: string, variables: Record<string, unknown> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } }, (response) => {
      let text = '';
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, connection: response.headers.connection, body: JSON.parse(text) }));
    });
    request.on('error', reject);
    request.end(JSON.stringify({ query, variables }));
  });
}

function registration(isrc: string) {
  return { input: [{ isrc, title: 'Shutdown', artists: [{ name: 'Nadia Rey', role: 'MAIN' }], rightsholders: [{ label: demo.aurora.globalId, shareBps: 10000 }] }] };
}

async function registered(isrc: string): Promise<boolean> {
  return (await db.dataSource.query(`SELECT 1 FROM work WHERE isrc = $1`, [isrc])).length > 0;
}

describe('a gateway process told to stop (SIGTERM)', () => {
  it('answers the write in flight, runs none that arrives after, and exits promptly', async () => {
    gateway = await startChildGateway(outDir, db.url);
    const reused = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const other = new http.Agent({ keepAlive: true });
    expect((await post(gateway.url, reused, demo.aurora.token, '{ viewer { name } }')).connection).toBe('keep-alive');

    // Aurora's writes wait while its partner lock is held, as behind a mandate's revocation.
    const lock = await holdingTransaction(db.dataSource, 'SELECT pg_advisory_xact_lock($1::int, hashtext($2))', [AdvisoryNamespace.PARTNER_WRITES, demo.aurora.id]);
    const inFlightIsrc = nextIsrc();
    const inFlight = post(gateway.url, other, demo.aurora.token, REGISTER, registration(inFlightIsrc));
    await waitUntil(async () => (await lockWaiters(db.dataSource)) > 0);

    const exited = new Promise<number | null>((resolve) => gateway!.process.once('exit', resolve));
    const signalled = Date.now();
    gateway.process.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));

    // Sent on the idle keep-alive connection after the signal: refused without running, or cut; never run.
    const lateIsrc = nextIsrc();
    const late = await post(gateway.url, reused, demo.aurora.token, REGISTER, registration(lateIsrc)).catch(() => undefined);
    if (late !== undefined) {
      expect(late.status).toBe(503);
      expect(late.body.errors[0].extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', reason: 'SHUTTING_DOWN' });
    }

    await lock.rollbackTransaction();
    await lock.release();
    const answered = await inFlight;
    expect(answered.status).toBe(200);
    expect(answered.body.data.registerWorks.createdCount).toBe(1);
    expect(answered.connection).toBe('close');

    expect(await exited).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(8_000);
    expect(await registered(inFlightIsrc)).toBe(true);
    expect(await registered(lateIsrc)).toBe(false);
    reused.destroy();
    other.destroy();
  });
});

describe('a gateway closing', () => {
  it('refuses, without running it, a request sent on a kept-alive connection meanwhile: 503 SHUTTING_DOWN', async () => {
    const closing = await startTestGateway(db.dataSource);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    expect((await post(closing.url, agent, demo.aurora.token, '{ viewer { name } }')).connection).toBe('keep-alive');
    // A subscriber that does not read: closing waits up to its grace period for the socket to close.
    const subscriber = new WebSocket(webSocketUrl(closing.url), 'graphql-transport-ws');
    await new Promise((resolve) => subscriber.once('open', resolve));
    subscriber.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${demo.aurora.token}` } }));
    await new Promise((resolve) => subscriber.once('message', resolve));
    subscriber.pause();

    const closed = closing.close();
    const isrc = nextIsrc();
    const late = await post(closing.url, agent, demo.aurora.token, REGISTER, registration(isrc));
    expect(late).toMatchObject({ status: 503, connection: 'close' });
    expect(late.body.errors[0].extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', reason: 'SHUTTING_DOWN' });
    await closed;
    expect(await registered(isrc)).toBe(false);
    agent.destroy();
    // Paused, it never read the server's close, so its socket would stay open for the rest of the worker.
    subscriber.terminate();
  });
});
