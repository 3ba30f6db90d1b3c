import fc from 'fast-check';
import type { Viewer } from '../../src/auth/viewer';
import { toGlobalId } from '../../src/common/relay/global-id';
import { DecisionsService } from '../../src/decisions/decisions.service';
import { generateReceiptKey, ReceiptSigner } from '../../src/decisions/receipt';
import type { UseType } from '../../src/common/use-type';
import { WorksService } from '../../src/works/works.service';
import { insertAgreement } from '../support/agreements-fixtures';
import { insertArtists, insertConsent, insertWork, nextIsrc } from '../support/catalog-fixtures';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedDemoPartners, type Demo } from '../support/demo';
import {
  referenceDecision,
  type ReferenceAgreement,
  type ReferenceConsent,
  type ReferenceWork,
} from './reference-decision';

/**
 * Random catalogs, agreements and consent histories: the SQL engine must give exactly the answers of
 * the in-memory reference (reference-decision.ts) for every work, and licensedWorks must list exactly
 * the works the reference allows now. Every run gets fresh labels, artists and works, so runs do not
 * see each other's agreements.
 */
let db: TestDatabase;
let demo: Demo;
let decisions: DecisionsService;

const LABELS = 3;
const ARTISTS = 4;
const USES = ['TRAINING', 'VOICE_MODEL'] as const;
/** Instants everything is placed on, so that boundaries (starts, ends, validity) are hit exactly. */
const GRID = ['2021-01-01', '2022-01-01', '2023-01-01', '2024-01-01', '2025-01-01'].map((d) => new Date(`${d}T00:00:00Z`));
const ASKED_AT = [...GRID, new Date('2022-06-01T00:00:00Z'), new Date('2020-06-01T00:00:00Z')];
const TERRITORY_SCOPES = [
  { territories: ['WORLD'], excludedTerritories: [] },
  { territories: ['WORLD'], excludedTerritories: ['US'] },
  { territories: ['FR'], excludedTerritories: [] },
  { territories: ['FR', 'US'], excludedTerritories: [] },
];

const uses = fc.subarray([...USES], { minLength: 1 });
const territoryScope = fc.constantFrom(...TERRITORY_SCOPES);
const window = fc
  .tuple(fc.integer({ min: 0, max: GRID.length - 1 }), fc.option(fc.integer({ min: 1, max: GRID.length - 1 })))
  .map(([from, length]) => ({
    from: GRID[from],
    until: length === null || from + length >= GRID.length ? null : GRID[from + length],
  }));

const scenario = fc.record({
  works: fc.array(
    fc.record({
      owners: fc.subarray([0, 1, 2], { minLength: 1 }),
      mainArtists: fc.subarray([0, 1, 2, 3], { minLength: 0, maxLength: 2 }),
    }),
    { minLength: 1, maxLength: 6 },
  ),
  agreements: fc.array(
    fc.record({
      licensor: fc.integer({ min: 0, max: LABELS - 1 }),
      ownPartner: fc.boolean(),
      state: fc.constantFrom('ACTIVE', 'ACTIVE', 'SUSPENDED', 'TERMINATED', 'DRAFT'),
      uses,
      scope: territoryScope,
      term: window,
      selected: fc.option(fc.subarray([0, 1, 2, 3, 4, 5])),
    }),
    { maxLength: 6 },
  ),
  consents: fc.array(
    fc.record({
      onWork: fc.boolean(),
      subject: fc.integer({ min: 0, max: 2 }),
      state: fc.constantFrom('GRANTED', 'GRANTED', 'REFUSED', 'WITHDRAWN'),
      uses,
      scope: territoryScope,
      validity: window,
      // Few distinct instants, so ties on recorded_at happen and the id tie-break is exercised.
      recordedAt: fc.integer({ min: 0, max: 2 }),
    }),
    { maxLength: 12 },
  ),
  question: fc.record({
    use: fc.constantFrom(...USES),
    territory: fc.constantFrom('FR', 'US', 'DE', 'WORLD'),
    at: fc.constantFrom(...ASKED_AT),
  }),
});
type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

beforeAll(async () => {
  db = await createTestDatabase();
  demo = await seedDemoPartners(db.dataSource);
  decisions = new DecisionsService(
    db.dataSource,
    new WorksService(db.dataSource),
    new ReceiptSigner({ signingKey: generateReceiptKey() }),
    'accord-test',
  );
});
afterAll(async () => {
  await db.drop();
});

function viewerOf(partnerId: string): Viewer {
  return { partnerId, name: 'Resonance AI', type: 'AI_PARTNER', status: 'ACTIVE', mandates: [] };
}

/** Writes a scenario to the database and returns the same facts for the reference. */
async function build(s: Scenario) {
  const ds = db.dataSource;
  const labels = (
    (await ds.query(`INSERT INTO partner (name, type) SELECT 'Label ' || gen_random_uuid(), 'LABEL' FROM generate_series(1, $1) RETURNING id`, [
      LABELS,
    ])) as { id: string }[]
  ).map((row) => row.id);
  const artists = await insertArtists(ds, ARTISTS);

  const works: ReferenceWork[] = [];
  for (const w of s.works) {
    const owners = w.owners.map((i) => labels[i]);
    const shares = owners.map((id, i): [string, number] => [id, i === 0 ? 10000 - 100 * (owners.length - 1) : 100]);
    const fixture = await insertWork(ds, shares, w.mainArtists.map((i) => artists[i]));
    works.push({ id: fixture.id, isrc: fixture.isrc, owners, mainArtists: fixture.mainArtists });
  }

  const agreements: ReferenceAgreement[] = [];
  for (const a of s.agreements) {
    const selected = a.selected === null ? null : a.selected.filter((i) => i < works.length).map((i) => works[i].id);
    const facts = {
      licensor: labels[a.licensor],
      licensee: a.ownPartner ? demo.resonance.id : demo.cadence.id,
      state: a.state,
      useTypes: a.uses,
      territories: a.scope.territories,
      excludedTerritories: a.scope.excludedTerritories,
      startsAt: a.term.from,
      endsAt: a.term.until,
      selected,
    };
    const id = await insertAgreement(ds, { ...facts, state: a.state as 'ACTIVE', works: selected ?? undefined });
    agreements.push({ id, ...facts });
  }

  const consentFacts = s.consents.map((c) => ({
    scope: (c.onWork ? 'WORK' : 'ARTIST') as 'WORK' | 'ARTIST',
    subject: c.onWork ? works[c.subject % works.length].id : artists[c.subject % ARTISTS],
    state: c.state as ReferenceConsent['state'],
    useTypes: c.uses,
    territories: c.scope.territories,
    excludedTerritories: c.scope.excludedTerritories,
    validFrom: c.validity.from,
    validUntil: c.validity.until,
    recordedAt: new Date(Date.UTC(2024, 0, 1, 0, 0, c.recordedAt)),
  }));
  const ids = await insertConsent(ds, consentFacts.map((c) => ({ ...c, recordedBy: labels[0] })));
  const consents: ReferenceConsent[] = consentFacts.map((c, i) => ({ ...c, id: ids[i] }));
  return { works, agreements, consents };
}

describe('the SQL decision engine against the reference rule', () => {
  it('gives the reference answer for every work of random catalogs, agreements and consent histories', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const { works, agreements, consents } = await build(s);
        const isrcs = [...works.map((w) => w.isrc), nextIsrc('UNK')];
        const question = { partner: demo.resonance.id, ...s.question };
        const { batch, recorded } = await decisions.decide(viewerOf(demo.resonance.id), {
          isrcs,
          use: question.use as UseType,
          territory: question.territory,
          at: question.at,
        });
        await recorded;
        const engine = batch.decisions.map((d) => ({
          isrc: d.isrc,
          decision: d.decision,
          reasons: d.reasons,
          unlicensed: d.rightsholdersWithoutAgreement,
          agreements: d.agreements,
          consentRecords: d.consentRecords,
        }));
        const expected = isrcs.map((isrc) => {
          const answer = referenceDecision(works, agreements, consents, isrc, question);
          return {
            isrc,
            decision: answer.reasons.length ? 'DENY' : 'ALLOW',
            reasons: answer.reasons,
            // The API sorts every list of ids by the id it returns.
            unlicensed: answer.unlicensed.map((id) => toGlobalId('Partner', id)).sort(),
            agreements: answer.agreements.map((id) => toGlobalId('Agreement', id)).sort(),
            consentRecords: answer.consentRecords.map((id) => toGlobalId('ConsentRecord', id)).sort(),
          };
        });
        expect(engine).toEqual(expected);

        const now = new Date();
        const licensed = await decisions.licensedWorks(viewerOf(demo.resonance.id), { use: question.use as UseType, territory: question.territory }, {
          first: 1000,
        });
        const ours = new Set(works.map((w) => w.isrc));
        const listed = licensed.edges.map((e) => e.node.isrc).filter((isrc) => ours.has(isrc));
        const allowedNow = works
          .filter((w) => referenceDecision(works, agreements, consents, w.isrc, { ...question, at: now }).reasons.length === 0)
          .map((w) => w.isrc)
          .sort();
        expect(listed).toEqual(allowedNow);
      }),
      { numRuns: 40 },
    );
  });
});
