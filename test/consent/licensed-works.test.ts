import { insertAgreement } from '../support/agreements-fixtures';
import { insertConsent, insertWork, type WorkFixture } from '../support/catalog-fixtures';
import type { TestDatabase } from '../support/database';
import { startDemoGateway, stopDemoGateway } from '../support/demo-gateway';
import type { Demo } from '../support/demo';
import type { TestGateway, Json } from '../support/gateway';

let db: TestDatabase;
let gateway: TestGateway;
let demo: Demo;
let allowed: WorkFixture[];

const LICENSED = `query($first: Int, $after: String, $territory: Territory!) {
  licensedWorks(use: TRAINING, territory: $territory, first: $first, after: $after) {
    edges { cursor node { isrc title } } pageInfo { hasNextPage endCursor }
  }
}`;

beforeAll(async () => {
  ({ db, gateway, demo } = await startDemoGateway());
  const ds = db.dataSource;
  const [aurora, meridian] = [demo.aurora.id, demo.meridian.id];
  await insertAgreement(ds, { licensor: aurora, licensee: demo.resonance.id, excludedTerritories: ['US'] });
  const granted = await insertWork(ds, [[aurora, 10000]]);
  const byArtist = await insertWork(ds, [[aurora, 10000]], 2);
  await insertWork(ds, [[aurora, 10000]]); // licensed, without consent
  const coOwned = await insertWork(ds, [[aurora, 5000], [meridian, 5000]]);
  const refused = await insertWork(ds, [[aurora, 10000]]);
  await insertConsent(ds, [
    { scope: 'WORK', subject: granted.id, state: 'GRANTED', recordedBy: aurora },
    { scope: 'ARTIST', subject: byArtist.mainArtists[0], state: 'GRANTED', recordedBy: aurora },
    { scope: 'ARTIST', subject: byArtist.mainArtists[1], state: 'GRANTED', recordedBy: aurora },
    { scope: 'WORK', subject: coOwned.id, state: 'GRANTED', recordedBy: aurora },
    { scope: 'WORK', subject: refused.id, state: 'GRANTED', recordedBy: aurora },
    { scope: 'WORK', subject: refused.id, state: 'REFUSED', recordedBy: aurora },
  ]);
  allowed = [granted, byArtist];
});
afterAll(() => stopDemoGateway({ db, gateway }));

async function pages(token: string, territory: string, first: number): Promise<string[]> {
  const isrcs: string[] = [];
  let after: string | null = null;
  for (let page = 0; page < 20; page += 1) {
    const { body }: Json = await gateway.request(token, LICENSED, { first, after, territory });
    expect(body.errors).toBeUndefined();
    isrcs.push(...body.data.licensedWorks.edges.map((e: Json) => e.node.isrc));
    if (!body.data.licensedWorks.pageInfo.hasNextPage) return isrcs;
    after = body.data.licensedWorks.pageInfo.endCursor;
  }
  throw new Error('did not reach the last page');
}

describe('licensedWorks', () => {
  it('lists exactly the works the rule allows now, a page at a time in ISRC order', async () => {
    expect(await pages(demo.resonance.token, 'FR', 1)).toEqual(allowed.map((w) => w.isrc).sort());
  });

  it('agrees with consentDecisions over the whole catalog', async () => {
    const all = (await db.dataSource.query(`SELECT isrc FROM work ORDER BY isrc`)).map((r: { isrc: string }) => r.isrc);
    const { body } = await gateway.request(
      demo.resonance.token,
      `query($isrcs: [ISRC!]!) { consentDecisions(isrcs: $isrcs, use: TRAINING, territory: "FR") { decisions { isrc decision } } }`,
      { isrcs: all },
    );
    const allowedByDecision = body.data.consentDecisions.decisions.filter((d: Json) => d.decision === 'ALLOW').map((d: Json) => d.isrc);
    expect(await pages(demo.resonance.token, 'FR', 1000)).toEqual(allowedByDecision);
  });

  it('is empty where the agreement excludes the territory, and for another AI partner', async () => {
    expect(await pages(demo.resonance.token, 'US', 10)).toEqual([]);
    expect(await pages(demo.cadence.token, 'FR', 10)).toEqual([]);
  });

  it('pages hold at most 1,000 works', async () => {
    const { body } = await gateway.request(demo.resonance.token, LICENSED, { first: 1001, territory: 'FR' });
    expect(body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first', maximum: 1000 });
  });

  it('is for AI partners (and internal on their behalf) only', async () => {
    const label = await gateway.request(demo.aurora.token, LICENSED, { territory: 'FR' });
    expect(label.body.errors[0].extensions.code).toBe('FORBIDDEN');
    const internal = await gateway.request(
      demo.operations.token,
      `query($p: ID) { licensedWorks(use: TRAINING, territory: "FR", aiPartner: $p) { edges { node { isrc } } } }`,
      { p: demo.resonance.globalId },
    );
    expect(internal.body.data.licensedWorks.edges.map((e: Json) => e.node.isrc)).toEqual(allowed.map((w) => w.isrc).sort());
  });
});
