import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { specifiedRules, type GraphQLSchema } from 'graphql';
import pino from 'pino';
import { toGlobalId } from '../../src/common/relay/global-id';
import { OperationSafelists, sha256Of } from '../../src/server/operation-safelist';
import { QUERY_LIMITS, queryLimits } from '../../src/server/query-limits';
import { buildAccordSchema } from '../../src/server/schema';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedDemoPartners, type Demo } from '../support/demo';

let schema: GraphQLSchema;
let db: TestDatabase;
let demo: Demo;
let directory: string;

beforeAll(async () => {
  schema = await buildAccordSchema();
  db = await createTestDatabase();
  demo = await seedDemoPartners(db.dataSource);
});
afterAll(() => db.drop());
beforeEach(() => {
  directory = fs.mkdtempSync(path.join(os.tmpdir(), 'accord-safelist-manifests-'));
});
afterEach(() => fs.rmSync(directory, { recursive: true }));

function load(folder: string | undefined = directory) {
  return OperationSafelists.load({
    directory: folder,
    schema,
    validationRules: [...specifiedRules, ...queryLimits().validationRules],
    maxTokens: QUERY_LIMITS.maxTokens,
    dataSource: db.dataSource,
    logger: pino({ level: 'silent' }),
  });
}

function manifest(operations: unknown[]) {
  return { format: 'apollo-persisted-query-manifest', version: 1, operations };
}

function entry(body: string, fields: Record<string, unknown> = {}) {
  return { id: sha256Of(body), body, ...fields };
}

function write(name: string, content: unknown) {
  fs.writeFileSync(path.join(directory, name), typeof content === 'string' ? content : JSON.stringify(content));
}

const ME = 'query Me { viewer { id } }';

describe('loading safelists at start', () => {
  it('restricts the partners named by the files (uuid or id), and no one else', async () => {
    write(`${demo.aurora.id}.json`, manifest([entry(ME, { name: 'Me', type: 'query' })]));
    write(`${demo.meridian.globalId}.json`, manifest([]));
    write('.hidden', 'skipped, as a mounted ConfigMap’s ..data is');
    const safelists = await load();
    const refused = (partnerId: string, body: string) => safelists.refusal(partnerId, () => sha256Of(body))?.details;
    expect(refused(demo.aurora.id, ME)).toBeUndefined();
    expect(refused(demo.meridian.id, ME)).toEqual({ reason: 'OPERATION_NOT_SAFELISTED', sha256: sha256Of(ME) });
    expect(refused(demo.resonance.id, '{ anything }')).toBeUndefined();
    expect(safelists.refusal(demo.aurora.id, () => undefined)?.details).toEqual({ reason: 'OPERATION_NOT_SAFELISTED' });
  });

  it('without a folder, restricts no one', async () => {
    expect((await load(undefined)).refusal(demo.aurora.id, () => undefined)).toBeUndefined();
  });

  it('refuses a folder that does not exist', async () => {
    const missing = path.join(directory, 'missing');
    await expect(load(missing)).rejects.toThrow(`OPERATION_SAFELIST_DIR: ${missing} is not a folder that can be read`);
  });

  const aurora = () => `${demo.aurora.id}.json`;
  it.each([
    ['a file not named after a partner', () => 'catalog.json', manifest([]), /catalog.json must be named after a partner/],
    ['the id of another type', () => `${toGlobalId('Agreement', randomUUID())}.json`, manifest([]), /must be named after a partner/],
    ['a manifest named after no partner', () => `${randomUUID()}.json`, manifest([]), /names no partner/],
    ['another extension', () => `${demo.aurora.id}.JSON`, manifest([]), /is not a manifest: expected only <partner uuid or id>.json files/],
    ['a file that is not JSON', aurora, '{', /: not JSON/],
    ['another format', aurora, { operations: [] }, /expected an Apollo persisted query manifest/],
    ['an id that is not the hash of its body', aurora, manifest([{ id: sha256Of('{ x }'), name: 'Me', body: ME }]), /operations\[0\] \(Me\): id must be the SHA-256/],
    ['a body that does not parse', aurora, manifest([entry('query {')]), /operations\[0\]: Syntax Error/],
    ['an operation the schema refuses', aurora, manifest([entry('{ nope }')]), /Cannot query field "nope"/],
    ['an operation over the gateway’s limits', aurora, manifest([entry(`{ ${Array.from({ length: 21 }, (_, i) => `a${i}: viewer { id }`).join(' ')} }`)]), /Aliases limit/],
    ['several operations in one entry', aurora, manifest([entry(`${ME} query Other { viewer { name } }`)]), /holds 2 operations/],
    ['a type the body is not', aurora, manifest([entry(ME, { type: 'mutation' })]), /type is mutation, but the body is a query/],
    ['a name the body does not have', aurora, manifest([entry(ME, { name: 'Viewer' })]), /name is Viewer, but the body's operation is Me/],
  ])('refuses %s', async (_case, name, content, message) => {
    write(name(), content);
    await expect(load()).rejects.toThrow(message);
  });

  it('refuses two manifests for one partner', async () => {
    write(`${demo.aurora.id}.json`, manifest([]));
    write(`${demo.aurora.globalId}.json`, manifest([]));
    await expect(load()).rejects.toThrow(`two manifests for partner ${demo.aurora.id}`);
  });
});
