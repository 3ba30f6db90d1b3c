import { insertAgreement } from '../support/agreements-fixtures';
import type { TestDatabase } from '../support/database';
import { startDemoGateway, stopDemoGateway } from '../support/demo-gateway';
import { countRows, type Demo } from '../support/demo';
import type { TestGateway, Json } from '../support/gateway';

/**
 * Relay ids and `after` cursors are opaque but travel through clients: a crafted one must be refused as
 * the client's mistake (BAD_USER_INPUT) before it reaches SQL, never answered with a database error.
 */
let db: TestDatabase;
let gateway: TestGateway;
let demo: Demo;

const A_UUID = '0b6d7c4e-1f2a-4b3c-8d9e-0a1b2c3d4e5f';

function cursor(position: string): string {
  return Buffer.from(`cursor:${position}`).toString('base64url');
}

interface List {
  name: string;
  query: string;
  token: () => string;
}

const LISTS: Record<'works' | 'licensedWorks' | 'agreements' | 'usageReports', List> = {
  works: {
    name: 'works',
    query: `query($after: String) { works(first: 1, after: $after) { edges { cursor } pageInfo { endCursor } } }`,
    token: () => demo.aurora.token,
  },
  licensedWorks: {
    name: 'licensedWorks',
    query: `query($after: String) { licensedWorks(use: TRAINING, territory: "FR", first: 1, after: $after) { edges { cursor } pageInfo { endCursor } } }`,
    token: () => demo.resonance.token,
  },
  agreements: {
    name: 'agreements',
    query: `query($after: String) { agreements(first: 1, after: $after) { edges { cursor } pageInfo { endCursor } } }`,
    token: () => demo.aurora.token,
  },
  usageReports: {
    name: 'usageReports',
    query: `query($after: String) { usageReports(first: 1, after: $after) { edges { cursor } pageInfo { endCursor } } }`,
    token: () => demo.resonance.token,
  },
};

async function page(list: List, after: string | null): Promise<Json> {
  const { body } = await gateway.request(list.token(), list.query, { after });
  return body;
}

beforeAll(async () => {
  ({ db, gateway, demo } = await startDemoGateway());
  await insertAgreement(db.dataSource, { licensor: demo.aurora.id, licensee: demo.resonance.id });
});
afterAll(() => stopDemoGateway({ db, gateway }));

const CHRONOLOGICAL_ONLY = [
  ['a position that is not a uuid', cursor('2026-01-01T00:00:00.000Z|nope')],
  ['a number PostgreSQL does not read as a time', cursor('1|a')],
  ['a time beyond PostgreSQL', cursor(`+275760-09-13T00:00:00.000Z|${A_UUID}`)],
  ['year 0', cursor(`0000-01-01T00:00:00.000Z|${A_UUID}`)],
  ['a time not written as the gateway writes it', cursor(`2026-01-01T00:00:00Z|${A_UUID}`)],
  ['an upper-case uuid', cursor(`2026-01-01T00:00:00.000Z|${A_UUID.toUpperCase()}`)],
  ['an ISRC position', cursor('GBXYZ2600001')],
];
const ISRC_ONLY = [
  ['a NUL character', cursor('\u0000')],
  ['a lower-case ISRC', cursor('gbxyz2600001')],
  ['a chronological position', cursor(`2026-01-01T00:00:00.000Z|${A_UUID}`)],
];
const ANY_LIST = [
  ['no cursor prefix', Buffer.from('2026').toString('base64url')],
  ['padded base64', `${cursor('GBXYZ2600001')}=`],
];

describe.each([
  ['agreements', LISTS.agreements, [...CHRONOLOGICAL_ONLY, ...ANY_LIST]],
  ['usageReports', LISTS.usageReports, [...CHRONOLOGICAL_ONLY, ...ANY_LIST]],
  ['works', LISTS.works, [...ISRC_ONLY, ...ANY_LIST]],
  ['licensedWorks', LISTS.licensedWorks, [...ISRC_ONLY, ...ANY_LIST]],
])('%s(after:)', (_, list, crafted) => {
  it.each(crafted)('refuses %s with BAD_USER_INPUT naming the cursor', async (_, after) => {
    const body = await page(list, after);
    expect(body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    expect(body.errors?.[0].message).toBe(`after (${after}): not a cursor of this list`);
  });

  it('accepts the cursors it writes', async () => {
    const first = await page(list, null);
    expect(first.errors).toBeUndefined();
    const next = await page(list, first.data[list.name].pageInfo.endCursor);
    expect(next.errors).toBeUndefined();
  });
});

describe('walking a chronological list', () => {
  it('lists every row once: no page repeats the last row of the one before (microsecond creation times)', async () => {
    for (let i = 0; i < 4; i += 1) await insertAgreement(db.dataSource, { licensor: demo.aurora.id, licensee: demo.cadence.id });
    const expected: { id: string }[] = await db.dataSource.query('SELECT id FROM agreement WHERE licensor_id = $1', [demo.aurora.id]);
    const seen: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages <= expected.length; pages += 1) {
      const { body } = await gateway.request(demo.aurora.token, `query($after: String) { agreements(first: 1, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } }`, { after });
      seen.push(...body.data.agreements.edges.map((edge: Json) => edge.node.id));
      if (!body.data.agreements.pageInfo.hasNextPage) break;
      after = body.data.agreements.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(expected.length);
    expect(new Set(seen).size).toBe(expected.length);
  });
});

describe('ids spelled otherwise than the gateway writes them', () => {
  it('recordConsent refuses an artist listed twice, once by its id padded with "=", and writes nothing', async () => {
    const { body: work } = await gateway.request(demo.aurora.token, `{ work(isrc: "QZAUR2600001") { artists { role artist { id } } } }`);
    const artist: string = work.data.work.artists.find((a: Json) => a.role === 'MAIN').artist.id;
    const before = await countRows(db.dataSource, 'consent_record');
    const { body } = await gateway.request(
      demo.aurora.token,
      `mutation($input: RecordConsentInput!) { recordConsent(input: $input) { records { id } } }`,
      { input: { artists: [artist, `${artist}=`], state: 'GRANTED', useTypes: ['TRAINING'], territories: ['WORLD'], grantedBy: { name: 'Nova Vale' }, evidence: { method: 'ARTIST_PORTAL' } } },
    );
    expect(body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'artists', index: 1 });
    expect(body.errors?.[0].message).toBe(`artists[1] (${artist}=): not an artist id`);
    expect(await countRows(db.dataSource, 'consent_record')).toBe(before);
  });
});
