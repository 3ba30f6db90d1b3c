import type { TestDatabase } from '../support/database';
import { startDemoGateway, stopDemoGateway } from '../support/demo-gateway';
import { insertAgreement, type AgreementFixture } from '../support/agreements-fixtures';
import { insertConsent, insertWork, type ConsentFixture, type WorkFixture } from '../support/catalog-fixtures';
import type { Demo } from '../support/demo';
import type { TestGateway } from '../support/gateway';
import { toGlobalId } from '../../src/common/relay/global-id';
import { DECIDE } from './decide-query';

let db: TestDatabase;
let gateway: TestGateway;
let demo: Demo;


beforeAll(async () => ({ db, gateway, demo } = await startDemoGateway()));
afterAll(() => stopDemoGateway({ db, gateway }));

const day = (iso: string) => new Date(`${iso}T00:00:00Z`);

/** What a case builds, and what it expects of the decision for its (first) work. */
interface Expectation {
  isrc: string;
  use?: string;
  territory?: string;
  at?: Date;
  reasons: string[];
  /** Labels (by demo key) named as lacking an agreement. */
  unlicensed?: ('aurora' | 'meridian')[];
  agreements?: string[];
  consentRecords?: string[];
}

type LabelKey = 'aurora' | 'meridian';

interface Helpers {
  /** Fresh labels for the case (so that no other case's catalog-wide agreement reaches its works). */
  labels: Record<LabelKey, string>;
  work(owners?: [LabelKey, number][], mainArtists?: number, featured?: number): Promise<WorkFixture>;
  agree(licensor: LabelKey, terms?: Partial<AgreementFixture>): Promise<string>;
  consent(records: Omit<ConsentFixture, 'recordedBy'>[]): Promise<string[]>;
}

async function freshHelpers(): Promise<Helpers> {
  const rows = (await db.dataSource.query(
    `INSERT INTO partner (name, type) SELECT 'Label ' || gen_random_uuid(), 'LABEL' FROM generate_series(1, 2) RETURNING id`,
  )) as { id: string }[];
  const labels = { aurora: rows[0].id, meridian: rows[1].id };
  return {
    labels,
    async work(owners = [['aurora', 10000]], mainArtists = 1, featured = 0) {
      const featuredArtists = featured ? (await insertWork(db.dataSource, [[labels.aurora, 10000]], featured)).mainArtists : [];
      return insertWork(db.dataSource, owners.map(([key, bps]) => [labels[key], bps]), mainArtists, featuredArtists);
    },
    agree: (licensor, terms = {}) => insertAgreement(db.dataSource, { licensor: labels[licensor], licensee: demo.resonance.id, ...terms }),
    consent: (records) => insertConsent(db.dataSource, records.map((r) => ({ recordedBy: labels.aurora, ...r }))),
  };
}

const agreementId = (id: string) => toGlobalId('Agreement', id);
const recordId = (id: string) => toGlobalId('ConsentRecord', id);

/** A licensed work granted for TRAINING worldwide: the baseline most cases change one thing of. */
async function licensedAndGranted(h: Helpers) {
  const work = await h.work();
  const agreement = await h.agree('aurora');
  const [grant] = await h.consent([{ scope: 'WORK', subject: work.id, state: 'GRANTED' }]);
  return { work, agreement, grant };
}

const cases: [string, (h: Helpers) => Promise<Expectation>][] = [
  [
    'ALLOW with an agreement from the only owner and consent granted, naming both',
    async (h) => {
      const { work, agreement, grant } = await licensedAndGranted(h);
      return { isrc: work.isrc, reasons: [], agreements: [agreementId(agreement)], consentRecords: [recordId(grant)] };
    },
  ],
  ['UNKNOWN_WORK for a well-formed ISRC nobody registered', async () => ({ isrc: 'QZZZZ9999999', reasons: ['UNKNOWN_WORK'] })],
  [
    'NO_AGREEMENT naming the rights holder when consent is granted but nothing is licensed',
    async (h) => {
      const work = await h.work();
      await h.consent([{ scope: 'WORK', subject: work.id, state: 'GRANTED' }]);
      return { isrc: work.isrc, reasons: ['NO_AGREEMENT'], unlicensed: ['aurora'] };
    },
  ],
  [
    'NO_CONSENT when licensed but no record exists (no record means no)',
    async (h) => {
      const work = await h.work();
      await h.agree('aurora');
      return { isrc: work.isrc, reasons: ['NO_CONSENT'] };
    },
  ],
  [
    'both NO_AGREEMENT and NO_CONSENT when there is nothing',
    async (h) => ({ isrc: (await h.work()).isrc, reasons: ['NO_AGREEMENT', 'NO_CONSENT'], unlicensed: ['aurora'] }),
  ],
  [
    'CONSENT_REFUSED, naming the refusal',
    async (h) => {
      const work = await h.work();
      await h.agree('aurora');
      const [refusal] = await h.consent([{ scope: 'WORK', subject: work.id, state: 'REFUSED' }]);
      return { isrc: work.isrc, reasons: ['CONSENT_REFUSED'], consentRecords: [recordId(refusal)] };
    },
  ],
  [
    'CONSENT_WITHDRAWN when a withdrawal follows the grant',
    async (h) => {
      const { work } = await licensedAndGranted(h);
      const [withdrawal] = await h.consent([{ scope: 'WORK', subject: work.id, state: 'WITHDRAWN' }]);
      return { isrc: work.isrc, reasons: ['CONSENT_WITHDRAWN'], consentRecords: [recordId(withdrawal)] };
    },
  ],
  [
    'the latest record in force wins: a grant after a refusal allows',
    async (h) => {
      const work = await h.work();
      await h.agree('aurora');
      const [, grant] = await h.consent([
        { scope: 'WORK', subject: work.id, state: 'REFUSED' },
        { scope: 'WORK', subject: work.id, state: 'GRANTED' },
      ]);
      return { isrc: work.isrc, reasons: [], consentRecords: [recordId(grant)] };
    },
  ],
  [
    'co-owned work with an agreement from one owner only: DENY naming the other',
    async (h) => {
      const work = await h.work([['aurora', 6000], ['meridian', 4000]]);
      const agreement = await h.agree('aurora');
      await h.consent([{ scope: 'WORK', subject: work.id, state: 'GRANTED' }]);
      return { isrc: work.isrc, reasons: ['NO_AGREEMENT'], unlicensed: ['meridian'], agreements: [agreementId(agreement)] };
    },
  ],
  [
    'co-owned work with agreements from both owners: ALLOW relying on both',
    async (h) => {
      const work = await h.work([['aurora', 5000], ['meridian', 5000]]);
      const agreements = [await h.agree('aurora'), await h.agree('meridian')];
      await h.consent([{ scope: 'WORK', subject: work.id, state: 'GRANTED' }]);
      return { isrc: work.isrc, reasons: [], agreements: agreements.map(agreementId).sort() };
    },
  ],
  [
    'several MAIN artists, one withdrawn: DENY CONSENT_WITHDRAWN relying on each artist’s record',
    async (h) => {
      const work = await h.work([['aurora', 10000]], 2);
      await h.agree('aurora');
      const [first, , withdrawal] = await h.consent([
        { scope: 'ARTIST', subject: work.mainArtists[0], state: 'GRANTED' },
        { scope: 'ARTIST', subject: work.mainArtists[1], state: 'GRANTED' },
        { scope: 'ARTIST', subject: work.mainArtists[1], state: 'WITHDRAWN' },
      ]);
      return { isrc: work.isrc, reasons: ['CONSENT_WITHDRAWN'], consentRecords: [first, withdrawal].map(recordId).sort() };
    },
  ],
  [
    'several MAIN artists, one without any record: NO_CONSENT',
    async (h) => {
      const work = await h.work([['aurora', 10000]], 2);
      await h.agree('aurora');
      await h.consent([{ scope: 'ARTIST', subject: work.mainArtists[0], state: 'GRANTED' }]);
      return { isrc: work.isrc, reasons: ['NO_CONSENT'] };
    },
  ],
  [
    'FEATURED artists are not asked: MAIN artist granted is enough',
    async (h) => {
      const work = await h.work([['aurora', 10000]], 1, 1);
      await h.agree('aurora');
      await h.consent([{ scope: 'ARTIST', subject: work.mainArtists[0], state: 'GRANTED' }]);
      return { isrc: work.isrc, reasons: [] };
    },
  ],
  [
    'WORK scope beats ARTIST scope: a work grant overrides an artist refusal',
    async (h) => {
      const work = await h.work();
      await h.agree('aurora');
      const [grant] = await h.consent([
        { scope: 'WORK', subject: work.id, state: 'GRANTED' },
        { scope: 'ARTIST', subject: work.mainArtists[0], state: 'REFUSED' },
      ]);
      return { isrc: work.isrc, reasons: [], consentRecords: [recordId(grant)] };
    },
  ],
  [
    'WORK scope beats ARTIST scope: an older work refusal overrides a newer artist grant',
    async (h) => {
      const work = await h.work();
      await h.agree('aurora');
      const [refusal] = await h.consent([
        { scope: 'WORK', subject: work.id, state: 'REFUSED' },
        { scope: 'ARTIST', subject: work.mainArtists[0], state: 'GRANTED' },
      ]);
      return { isrc: work.isrc, reasons: ['CONSENT_REFUSED'], consentRecords: [recordId(refusal)] };
    },
  ],
  [
    'a WORK record for another territory does not hide the ARTIST grant covering this one',
    async (h) => {
      const work = await h.work();
      await h.agree('aurora');
      const [, grant] = await h.consent([
        { scope: 'WORK', subject: work.id, state: 'REFUSED', territories: ['US'] },
        { scope: 'ARTIST', subject: work.mainArtists[0], state: 'GRANTED' },
      ]);
      return { isrc: work.isrc, territory: 'FR', reasons: [], consentRecords: [recordId(grant)] };
    },
  ],
  [
    'consent inside its validity window allows',
    async (h) => {
      const work = await h.work();
      await h.agree('aurora');
      await h.consent([{ scope: 'WORK', subject: work.id, state: 'GRANTED', validFrom: day('2025-01-01'), validUntil: day('2025-06-01') }]);
      return { isrc: work.isrc, at: day('2025-03-01'), reasons: [] };
    },
  ],
  [
    'consent after its validity window: NO_CONSENT',
    async (h) => {
      const work = await h.work();
      await h.agree('aurora');
      await h.consent([{ scope: 'WORK', subject: work.id, state: 'GRANTED', validFrom: day('2025-01-01'), validUntil: day('2025-06-01') }]);
      return { isrc: work.isrc, at: day('2025-06-01'), reasons: ['NO_CONSENT'] };
    },
  ],
  [
    'consent before its validity window: NO_CONSENT',
    async (h) => {
      const work = await h.work();
      await h.agree('aurora');
      await h.consent([{ scope: 'WORK', subject: work.id, state: 'GRANTED', validFrom: day('2025-01-01') }]);
      return { isrc: work.isrc, at: day('2024-12-31'), reasons: ['NO_CONSENT'] };
    },
  ],
  [
    '`at` in the past, before a withdrawal took effect: ALLOW relying on the grant',
    async (h) => {
      const work = await h.work();
      await h.agree('aurora');
      const [grant] = await h.consent([
        { scope: 'WORK', subject: work.id, state: 'GRANTED', validFrom: day('2021-01-01') },
        { scope: 'WORK', subject: work.id, state: 'WITHDRAWN', validFrom: day('2025-01-01') },
      ]);
      return { isrc: work.isrc, at: day('2024-06-01'), reasons: [], consentRecords: [recordId(grant)] };
    },
  ],
  [
    '`at` now, after that withdrawal took effect: CONSENT_WITHDRAWN',
    async (h) => {
      const work = await h.work();
      await h.agree('aurora');
      await h.consent([
        { scope: 'WORK', subject: work.id, state: 'GRANTED', validFrom: day('2021-01-01') },
        { scope: 'WORK', subject: work.id, state: 'WITHDRAWN', validFrom: day('2025-01-01') },
      ]);
      return { isrc: work.isrc, reasons: ['CONSENT_WITHDRAWN'] };
    },
  ],
  [
    'consent for WORLD minus the territory asked: NO_CONSENT',
    async (h) => {
      const work = await h.work();
      await h.agree('aurora');
      await h.consent([{ scope: 'WORK', subject: work.id, state: 'GRANTED', excludedTerritories: ['US'] }]);
      return { isrc: work.isrc, territory: 'US', reasons: ['NO_CONSENT'] };
    },
  ],
  [
    'consent for WORLD minus another territory: ALLOW',
    async (h) => {
      const work = await h.work();
      await h.agree('aurora');
      await h.consent([{ scope: 'WORK', subject: work.id, state: 'GRANTED', excludedTerritories: ['US'] }]);
      return { isrc: work.isrc, territory: 'FR', reasons: [] };
    },
  ],
  [
    'consent for another use: NO_CONSENT',
    async (h) => {
      const work = await h.work();
      await h.agree('aurora', { useTypes: ['TRAINING', 'VOICE_MODEL'] });
      await h.consent([{ scope: 'WORK', subject: work.id, state: 'GRANTED', useTypes: ['TRAINING'] }]);
      return { isrc: work.isrc, use: 'VOICE_MODEL', reasons: ['NO_CONSENT'] };
    },
  ],
  [
    'agreement for WORLD minus the territory asked: NO_AGREEMENT and TERRITORY_EXCLUDED',
    async (h) => {
      const { work } = await licensedAndGranted({ ...h, agree: (l) => h.agree(l, { excludedTerritories: ['US'] }) });
      return { isrc: work.isrc, territory: 'US', reasons: ['NO_AGREEMENT', 'TERRITORY_EXCLUDED'], unlicensed: ['aurora'] };
    },
  ],
  [
    'agreement listing other countries: TERRITORY_EXCLUDED',
    async (h) => {
      const { work } = await licensedAndGranted({ ...h, agree: (l) => h.agree(l, { territories: ['FR', 'BE'] }) });
      return { isrc: work.isrc, territory: 'DE', reasons: ['NO_AGREEMENT', 'TERRITORY_EXCLUDED'], unlicensed: ['aurora'] };
    },
  ],
  [
    'asked for WORLD, an agreement for WORLD minus one country does not cover it',
    async (h) => {
      const { work } = await licensedAndGranted({ ...h, agree: (l) => h.agree(l, { excludedTerritories: ['US'] }) });
      return { isrc: work.isrc, territory: 'WORLD', reasons: ['NO_AGREEMENT', 'TERRITORY_EXCLUDED'], unlicensed: ['aurora'] };
    },
  ],
  [
    'asked for WORLD, unrestricted WORLD agreement and consent allow',
    async (h) => ({ isrc: (await licensedAndGranted(h)).work.isrc, territory: 'WORLD', reasons: [] }),
  ],
  [
    'a suspended agreement: NO_AGREEMENT and AGREEMENT_SUSPENDED',
    async (h) => {
      const { work } = await licensedAndGranted({ ...h, agree: (l) => h.agree(l, { state: 'SUSPENDED' }) });
      return { isrc: work.isrc, reasons: ['NO_AGREEMENT', 'AGREEMENT_SUSPENDED'], unlicensed: ['aurora'], agreements: [] };
    },
  ],
  [
    'an expired agreement (ACTIVE past its end): NO_AGREEMENT and OUTSIDE_TERM',
    async (h) => {
      const { work } = await licensedAndGranted({ ...h, agree: (l) => h.agree(l, { endsAt: day('2025-01-01') }) });
      return { isrc: work.isrc, reasons: ['NO_AGREEMENT', 'OUTSIDE_TERM'], unlicensed: ['aurora'] };
    },
  ],
  [
    'the same expired agreement, asked about a time within its term: ALLOW',
    async (h) => {
      const { work } = await licensedAndGranted({ ...h, agree: (l) => h.agree(l, { endsAt: day('2025-01-01') }) });
      return { isrc: work.isrc, at: day('2024-12-31'), reasons: [] };
    },
  ],
  [
    'an agreement not started yet: OUTSIDE_TERM',
    async (h) => {
      const { work } = await licensedAndGranted({ ...h, agree: (l) => h.agree(l, { startsAt: day('2099-01-01') }) });
      return { isrc: work.isrc, reasons: ['NO_AGREEMENT', 'OUTSIDE_TERM'], unlicensed: ['aurora'] };
    },
  ],
  ...(['TERMINATED', 'PROPOSED', 'DRAFT', 'DECLINED'] as const).map(
    (state): [string, (h: Helpers) => Promise<Expectation>] => [
      `a ${state} agreement does not apply, and is no reason besides NO_AGREEMENT`,
      async (h) => {
        const { work } = await licensedAndGranted({ ...h, agree: (l) => h.agree(l, { state }) });
        return { isrc: work.isrc, reasons: ['NO_AGREEMENT'], unlicensed: ['aurora'] };
      },
    ],
  ),
  [
    'an agreement for another use: NO_AGREEMENT only',
    async (h) => {
      const { work } = await licensedAndGranted({ ...h, agree: (l) => h.agree(l, { useTypes: ['FINE_TUNING'] }) });
      return { isrc: work.isrc, reasons: ['NO_AGREEMENT'], unlicensed: ['aurora'] };
    },
  ],
  [
    'SELECTED catalog scope including the work: ALLOW',
    async (h) => {
      const work = await h.work();
      const agreement = await h.agree('aurora', { works: [work.id] });
      await h.consent([{ scope: 'WORK', subject: work.id, state: 'GRANTED' }]);
      return { isrc: work.isrc, reasons: [], agreements: [agreementId(agreement)] };
    },
  ],
  [
    'SELECTED catalog scope without the work: NO_AGREEMENT only, even if that agreement is also suspended',
    async (h) => {
      const work = await h.work();
      const other = await h.work();
      await h.agree('aurora', { works: [other.id], state: 'SUSPENDED' });
      await h.consent([{ scope: 'WORK', subject: work.id, state: 'GRANTED' }]);
      return { isrc: work.isrc, reasons: ['NO_AGREEMENT'], unlicensed: ['aurora'] };
    },
  ],
  [
    "another AI partner's agreement does not license this one",
    async (h) => {
      const work = await h.work();
      await insertAgreement(db.dataSource, { licensor: h.labels.aurora, licensee: demo.cadence.id });
      await h.consent([{ scope: 'WORK', subject: work.id, state: 'GRANTED' }]);
      return { isrc: work.isrc, reasons: ['NO_AGREEMENT'], unlicensed: ['aurora'] };
    },
  ],
  [
    'an agreement a distributor negotiated for the label licenses the label’s share',
    async (h) => {
      const { work } = await licensedAndGranted({ ...h, agree: (l) => h.agree(l, { actingDistributor: demo.tidewater.id }) });
      return { isrc: work.isrc, reasons: [] };
    },
  ],
  [
    'one applying agreement is enough even when another for the same label is suspended',
    async (h) => {
      const work = await h.work();
      const active = await h.agree('aurora');
      await h.agree('aurora', { state: 'SUSPENDED' });
      await h.consent([{ scope: 'WORK', subject: work.id, state: 'GRANTED' }]);
      return { isrc: work.isrc, reasons: [], agreements: [agreementId(active)] };
    },
  ],
  [
    'every reason that applies, at once',
    async (h) => {
      const work = await h.work([['aurora', 5000], ['meridian', 5000]], 2);
      await h.agree('aurora', { state: 'SUSPENDED' });
      await h.agree('meridian', { endsAt: day('2025-01-01'), territories: ['FR'] });
      await h.consent([
        { scope: 'ARTIST', subject: work.mainArtists[0], state: 'REFUSED' },
        { scope: 'ARTIST', subject: work.mainArtists[1], state: 'WITHDRAWN' },
      ]);
      return {
        isrc: work.isrc,
        territory: 'DE',
        reasons: ['NO_AGREEMENT', 'AGREEMENT_SUSPENDED', 'OUTSIDE_TERM', 'TERRITORY_EXCLUDED', 'CONSENT_REFUSED', 'CONSENT_WITHDRAWN'],
        unlicensed: ['aurora', 'meridian'],
      };
    },
  ],
];

describe('consentDecisions, one rule at a time', () => {
  it.each(cases)('%s', async (_name, build) => {
    const h = await freshHelpers();
    const expected = await build(h);
    const { body } = await gateway.request(demo.resonance.token, DECIDE, {
      isrcs: [expected.isrc],
      use: expected.use ?? 'TRAINING',
      territory: expected.territory ?? 'FR',
      at: expected.at?.toISOString(),
    });
    expect(body.errors).toBeUndefined();
    const [decision] = body.data.consentDecisions.decisions;
    expect(decision.isrc).toBe(expected.isrc);
    expect(decision.reasons).toEqual(expected.reasons);
    expect(decision.decision).toBe(expected.reasons.length ? 'DENY' : 'ALLOW');
    const unlicensed = (expected.unlicensed ?? []).map((key) => toGlobalId('Partner', h.labels[key])).sort();
    expect(decision.rightsholdersWithoutAgreement).toEqual(unlicensed);
    if (expected.agreements) expect(decision.agreements).toEqual(expected.agreements);
    if (expected.consentRecords) expect(decision.consentRecords).toEqual(expected.consentRecords);
  });
});
