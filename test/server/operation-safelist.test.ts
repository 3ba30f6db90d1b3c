import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sha256Of } from '../../src/server/operation-safelist';
import { nextIsrc, REGISTER, registerWork } from '../support/changes';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { countRows, seedDemoPartners, type Demo } from '../support/demo';
import { startTestGateway, type Json, type TestGateway } from '../support/gateway';
import { bearer, CHANGES, disposedAfterEach, subscribeChanges } from '../support/subscriptions';

const ME = 'query Me { viewer { id name } }';
const UNLISTED_REGISTER = REGISTER.replace('createdCount updatedCount', 'createdCount');

let db: TestDatabase;
let gateway: TestGateway;
let demo: Demo;
let directory: string;
const track = disposedAfterEach();

/** Aurora Records runs only its manifest's operations; every other partner is unrestricted. */
beforeAll(async () => {
  db = await createTestDatabase();
  demo = await seedDemoPartners(db.dataSource);
  directory = fs.mkdtempSync(path.join(os.tmpdir(), 'accord-safelist-'));
  const operations = [ME, REGISTER, CHANGES].map((body) => ({ id: sha256Of(body), body }));
  fs.writeFileSync(
    path.join(directory, `${demo.aurora.globalId}.json`),
    JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations }),
  );
  gateway = await startTestGateway(db.dataSource, { operationSafelistDir: directory });
});
afterAll(async () => {
  await gateway.close();
  await db.drop();
  fs.rmSync(directory, { recursive: true });
});

function post(token: string, body: Record<string, unknown>) {
  return fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
}

describe('a partner with a safelist', () => {
  it('runs a listed operation sent in full', async () => {
    const { status, body } = await gateway.request(demo.aurora.token, ME);
    expect(status).toBe(200);
    expect(body.data.viewer.name).toBe('Aurora Records');
  });

  it('runs a listed operation sent by its hash alone, by POST or GET, from the first request', async () => {
    const extensions = { persistedQuery: { version: 1, sha256Hash: sha256Of(ME) } };
    const posted = (await (await post(demo.aurora.token, { extensions })).json()) as Json;
    expect(posted.data.viewer.name).toBe('Aurora Records');
    const url = `${gateway.url}?extensions=${encodeURIComponent(JSON.stringify(extensions))}`;
    const got = (await (await fetch(url, { headers: { authorization: `Bearer ${demo.aurora.token}` } })).json()) as Json;
    expect(got.data.viewer.name).toBe('Aurora Records');
  });

  it('is refused any other document, FORBIDDEN before it runs: nothing is written', async () => {
    const before = await countRows(db.dataSource, 'work');
    const { status, body } = await gateway.request(demo.aurora.token, UNLISTED_REGISTER, {
      input: [{ isrc: nextIsrc(), title: 'Unlisted', artists: [{ name: 'Nadia Rey', role: 'MAIN' }], rightsholders: [{ label: demo.aurora.globalId, shareBps: 10000 }] }],
    });
    expect(status).toBe(403);
    expect(body.data).toBeUndefined();
    expect(body.errors).toEqual([
      {
        message: 'this partner may run only the operations of its safelist, and this one is not among them',
        extensions: { code: 'FORBIDDEN', reason: 'OPERATION_NOT_SAFELISTED', sha256: sha256Of(UNLISTED_REGISTER) },
      },
    ]);
    expect(await countRows(db.dataSource, 'work')).toBe(before);
  });

  it('is refused before anything is done with the document: not parsed, not charged', async () => {
    const first = await gateway.request(demo.aurora.token, ME);
    const unparsable = await gateway.request(demo.aurora.token, 'query {');
    expect(unparsable.status).toBe(403);
    expect(unparsable.body.errors[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'OPERATION_NOT_SAFELISTED' });
    expect(unparsable.body.extensions).toBeUndefined();
    const second = await gateway.request(demo.aurora.token, ME);
    expect(first.body.extensions.cost.remaining - second.body.extensions.cost.remaining).toBe(second.body.extensions.cost.requested);
  });

  it('cannot send by hash a document another partner registered', async () => {
    const other = 'query Other { viewer { name type } }';
    const extensions = { persistedQuery: { version: 1, sha256Hash: sha256Of(other) } };
    const registered = (await (await post(demo.resonance.token, { query: other, extensions })).json()) as Json;
    expect(registered.data.viewer.type).toBe('AI_PARTNER');
    const unrestricted = (await (await post(demo.meridian.token, { extensions })).json()) as Json;
    expect(unrestricted.data.viewer.name).toBe('Meridian Music');
    const restricted = (await (await post(demo.aurora.token, { extensions })).json()) as Json;
    expect(restricted.errors[0].extensions).toEqual({ code: 'FORBIDDEN', reason: 'OPERATION_NOT_SAFELISTED', sha256: sha256Of(other) });
  });

  it('has no statements CSV (its list may hold the statements query instead)', async () => {
    const csv = (token: string) => fetch(`${gateway.origin}/statements.csv?period=2026-01&currency=EUR`, { headers: { authorization: `Bearer ${token}` } });
    const refused = await csv(demo.aurora.token);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as Json).errors[0].extensions).toEqual({ code: 'FORBIDDEN', reason: 'OPERATION_NOT_SAFELISTED' });
    expect((await csv(demo.meridian.token)).status).toBe(200);
  });

  it('cannot pass another document off under a listed hash', async () => {
    const response = await post(demo.aurora.token, { query: UNLISTED_REGISTER, extensions: { persistedQuery: { version: 1, sha256Hash: sha256Of(REGISTER) } } });
    expect(response.status).toBe(403);
    expect(((await response.json()) as Json).errors[0].extensions).toMatchObject({ code: 'FORBIDDEN', sha256: sha256Of(UNLISTED_REGISTER) });
  });

  it('is refused introspection, which is not in its list', async () => {
    const { body } = await gateway.request(demo.aurora.token, '{ __schema { queryType { name } } }');
    expect(body.errors[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'OPERATION_NOT_SAFELISTED' });
  });

  it('subscribes with a listed subscription, and is refused an unlisted one, parsable or not', async () => {
    const listed = track(subscribeChanges(gateway.url, bearer(demo.aurora.token)));
    for (const query of [CHANGES.replace('actor { name }', ''), 'subscription {']) {
      const unlisted = track(subscribeChanges(gateway.url, bearer(demo.aurora.token), {}, query));
      await unlisted.ended;
      expect(unlisted.errors[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'OPERATION_NOT_SAFELISTED' });
    }
    await listed.acknowledged;
    // A live-only subscription starts once the socket is open: knock until the first event arrives.
    for (let attempt = 0; listed.events.length === 0 && attempt < 50; attempt += 1) {
      const { body } = await registerWork(gateway, demo.aurora.token, { isrc: nextIsrc(), title: 'Listed', labelGlobalId: demo.aurora.globalId });
      expect(body.errors).toBeUndefined();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(listed.events[0]).toMatchObject({ type: 'WORK_REGISTERED', payload: expect.objectContaining({ title: 'Listed' }) });
  });
});

describe('a partner without a safelist', () => {
  it('runs any operation, and may send a safelisted one by its hash', async () => {
    expect((await gateway.request(demo.resonance.token, '{ viewer { type } }')).body.data.viewer.type).toBe('AI_PARTNER');
    const posted = (await (await post(demo.resonance.token, { extensions: { persistedQuery: { version: 1, sha256Hash: sha256Of(ME) } } })).json()) as Json;
    expect(posted.data.viewer.name).toBe('Resonance AI');
  });
});
