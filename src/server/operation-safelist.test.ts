import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { GraphQLSchema } from 'graphql';
import { toGlobalId } from '../common/relay/global-id';
import { OperationSafelists, sha256Of } from './operation-safelist';
import { buildAccordSchema } from './schema';

let schema: GraphQLSchema;
let directory: string;

beforeAll(async () => {
  schema = await buildAccordSchema();
});
beforeEach(() => {
  directory = fs.mkdtempSync(path.join(os.tmpdir(), 'accord-safelist-unit-'));
});
afterEach(() => fs.rmSync(directory, { recursive: true }));

function manifest(operations: unknown[]) {
  return { format: 'apollo-persisted-query-manifest', version: 1, operations };
}

function write(name: string, content: unknown) {
  fs.writeFileSync(path.join(directory, name), typeof content === 'string' ? content : JSON.stringify(content));
}

const ME = 'query Me { viewer { id } }';

describe('loading safelists', () => {
  it('restricts the partners named by the files (uuid or id), and no one else', () => {
    const [byUuid, byGlobalId, other] = [randomUUID(), randomUUID(), randomUUID()];
    write(`${byUuid}.json`, manifest([{ id: sha256Of(ME), name: 'Me', type: 'query', body: ME }]));
    write(`${toGlobalId('Partner', byGlobalId)}.json`, manifest([]));
    write('README.md', 'not a manifest, not read');
    const safelists = OperationSafelists.load(directory, schema);
    expect([byUuid, byGlobalId, other].map((id) => safelists.restricts(id))).toEqual([true, true, false]);
    expect(safelists.refusal(byUuid, sha256Of(ME))).toBeUndefined();
    expect(safelists.refusal(byGlobalId, sha256Of(ME))?.details).toEqual({ reason: 'OPERATION_NOT_SAFELISTED', sha256: sha256Of(ME) });
    expect(safelists.refusal(other, sha256Of('{ anything }'))).toBeUndefined();
  });

  it('without a folder, restricts no one', () => {
    expect(OperationSafelists.load(undefined, schema).empty).toBe(true);
  });

  it('refuses a folder that does not exist, at start', () => {
    const missing = path.join(directory, 'missing');
    expect(() => OperationSafelists.load(missing, schema)).toThrow(`OPERATION_SAFELIST_DIR: ${missing} is not a folder that can be read`);
  });

  it.each([
    ['a file not named after a partner', 'catalog.json', manifest([]), /catalog.json must be named after a partner/],
    ['the id of another type', `${toGlobalId('Agreement', randomUUID())}.json`, manifest([]), /must be named after a partner/],
    ['a file that is not JSON', `${randomUUID()}.json`, '{', /: not JSON/],
    ['another format', `${randomUUID()}.json`, { operations: [] }, /expected an Apollo persisted query manifest/],
    ['an id that is not the hash of its body', `${randomUUID()}.json`, manifest([{ id: sha256Of('{ x }'), name: 'Me', body: ME }]), /operations\[0\] \(Me\): id must be the SHA-256/],
    ['a body that does not parse', `${randomUUID()}.json`, manifest([{ id: sha256Of('query {'), body: 'query {' }]), /operations\[0\]: Syntax Error/],
    ['an operation the schema refuses', `${randomUUID()}.json`, manifest([{ id: sha256Of('{ nope }'), body: '{ nope }' }]), /Cannot query field "nope"/],
  ])('refuses %s, at start', (_case, name, content, message) => {
    write(name, content);
    expect(() => OperationSafelists.load(directory, schema)).toThrow(message);
  });

  it('refuses two manifests for one partner', () => {
    const id = randomUUID();
    write(`${id}.json`, manifest([]));
    write(`${toGlobalId('Partner', id)}.json`, manifest([]));
    expect(() => OperationSafelists.load(directory, schema)).toThrow(`two manifests for partner ${id}`);
  });
});
