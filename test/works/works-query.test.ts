import { QueryCounter } from '../../src/db/query-counter';
import type { TestDatabase } from '../support/database';
import { startDemoGateway, stopDemoGateway } from '../support/demo-gateway';
import type { Demo } from '../support/demo';
import type { TestGateway, Json } from '../support/gateway';

let db: TestDatabase;
let gateway: TestGateway;
let demo: Demo;

const CO_OWNED = 'QZMER2600008'; // demo work 8: Aurora 60%, Meridian 40%
const AURORA_ONLY = 'QZAUR2600001';
const MERIDIAN_ONLY = 'QZMER2600002';

const WORK_SHARES = `query($isrc: ISRC!) { work(isrc: $isrc) { isrc rightsholders { label { name } shareBps } } }`;

beforeAll(async () => ({ db, gateway, demo } = await startDemoGateway()));
afterAll(() => stopDemoGateway({ db, gateway }));

describe('works', () => {
  it('pages through the whole catalog by ISRC with Relay cursors', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const { body }: Json = await gateway.request(
        demo.resonance.token,
        `query($after: String) { works(first: 20, after: $after) { edges { cursor node { isrc } } pageInfo { hasNextPage endCursor } } }`,
        { after },
      );
      seen.push(...body.data.works.edges.map((e: Json) => e.node.isrc));
      if (!body.data.works.pageInfo.hasNextPage) break;
      after = body.data.works.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(50);
    expect([...seen].sort()).toEqual(seen);
    expect(new Set(seen).size).toBe(50);
  });

  it('refuses a page larger than the maximum', async () => {
    const { body } = await gateway.request(demo.resonance.token, `{ works(first: 501) { edges { cursor } } }`);
    expect(body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first', maximum: 500 });
  });

  it('filters by label and title', async () => {
    const { body } = await gateway.request(
      demo.operations.token,
      `query($label: ID!) { works(first: 100, filter: {label: $label, titleContains: "glass"}) { edges { node { isrc title } } } }`,
      { label: demo.meridian.globalId },
    );
    const nodes = body.data.works.edges.map((e: Json) => e.node);
    expect(nodes.length).toBeGreaterThan(0);
    for (const node of nodes) expect(node.title.toLowerCase()).toContain('glass');
  });

  it('finds a work by ISRC in any notation, and node(id) returns the same work', async () => {
    const { body } = await gateway.request(demo.resonance.token, `{ work(isrc: "qz-aur-26-00001") { id isrc title } }`);
    expect(body.data.work.isrc).toBe(AURORA_ONLY);
    const node = await gateway.request(demo.resonance.token, `query($id: ID!) { node(id: $id) { id ... on Work { isrc } } }`, {
      id: body.data.work.id,
    });
    expect(node.body.data.node).toEqual({ id: body.data.work.id, isrc: AURORA_ONLY });
  });

  it('rejects a malformed ISRC at the edge with a precise message', async () => {
    const { body } = await gateway.request(demo.resonance.token, `query($isrc: ISRC!) { work(isrc: $isrc) { title } }`, {
      isrc: 'NOT-AN-ISRC',
    });
    expect(body.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(body.errors?.[0].message).toMatch(/"NOT-AN-ISRC" is not a valid ISRC/);
  });
});

describe('field authorization on shares', () => {
  it('an AI partner sees the names of the rights holders, and null with FORBIDDEN for each share', async () => {
    const { body } = await gateway.request(demo.resonance.token, WORK_SHARES, { isrc: CO_OWNED });
    expect(body.data.work.rightsholders).toEqual([
      { label: { name: 'Aurora Records' }, shareBps: null },
      { label: { name: 'Meridian Music' }, shareBps: null },
    ]);
    expect(body.errors?.map((e: Json) => [e.extensions.code, e.path])).toEqual([
      ['FORBIDDEN', ['work', 'rightsholders', 0, 'shareBps']],
      ['FORBIDDEN', ['work', 'rightsholders', 1, 'shareBps']],
    ]);
  });

  it('a label sees shares on works it owns (all of a co-owned split) and not on the others', async () => {
    const own = await gateway.request(demo.meridian.token, WORK_SHARES, { isrc: CO_OWNED });
    expect(own.body.errors).toBeUndefined();
    expect(own.body.data.work.rightsholders.map((r: Json) => r.shareBps)).toEqual([6000, 4000]);
    const other = await gateway.request(demo.meridian.token, WORK_SHARES, { isrc: AURORA_ONLY });
    expect(other.body.data.work.rightsholders).toEqual([{ label: { name: 'Aurora Records' }, shareBps: null }]);
    expect(other.body.errors?.[0].extensions.code).toBe('FORBIDDEN');
  });

  it('a distributor sees only the catalog of labels it holds READ_CATALOG for, with shares', async () => {
    const { body } = await gateway.request(demo.tidewater.token, `{ works(first: 100) { edges { node { isrc rightsholders { label { name } shareBps } } } } }`);
    expect(body.errors).toBeUndefined();
    const works = body.data.works.edges.map((e: Json) => e.node);
    expect(works.length).toBe(26); // Aurora's 25 plus a Meridian work it co-owns
    for (const work of works) expect(work.rightsholders.map((r: Json) => r.label.name)).toContain('Aurora Records');
    const hidden = await gateway.request(demo.tidewater.token, WORK_SHARES, { isrc: MERIDIAN_ONLY });
    expect(hidden.body.data.work).toBeNull();
  });

  it('a distributor loses the catalog when its mandate is revoked', async () => {
    const { body } = await gateway.request(demo.aurora.token, `{ viewer { mandates { id version active } } }`);
    const [mandate] = body.data.viewer.mandates;
    const revoke = await gateway.request(
      demo.aurora.token,
      `mutation($m: ID!, $v: Int!) { revokeMandate(input: {mandate: $m, expectedVersion: $v}) { active revokedAt } }`,
      { m: mandate.id, v: mandate.version },
    );
    expect(revoke.body.data.revokeMandate.active).toBe(false);
    const after = await gateway.request(demo.tidewater.token, `{ works(first: 100) { edges { node { isrc } } } }`);
    expect(after.body.data.works.edges).toEqual([]);
  });

  it('internal sees everything', async () => {
    const { body } = await gateway.request(demo.operations.token, WORK_SHARES, { isrc: CO_OWNED });
    expect(body.errors).toBeUndefined();
    expect(body.data.work.rightsholders.map((r: Json) => r.shareBps)).toEqual([6000, 4000]);
  });
});

describe('SQL statements per request', () => {
  it('works(first: N) with artists, rights holders and their labels costs the same for N = 1, 10 and 100', async () => {
    const query = `query($n: Int!) { works(first: $n) { edges { node { isrc artists { role artist { name isni } } rightsholders { shareBps label { name type } } } } } }`;
    const counts: number[] = [];
    for (const n of [1, 10, 100]) {
      QueryCounter.reset();
      const { body } = await gateway.request(demo.operations.token, query, { n });
      expect(body.errors).toBeUndefined();
      counts.push(QueryCounter.statements);
    }
    expect(counts[0]).toBe(counts[1]);
    expect(counts[1]).toBe(counts[2]);
    expect(counts[0]).toBeLessThanOrEqual(5);
  });
});
