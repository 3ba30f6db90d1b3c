import { toGlobalId } from '../../src/common/relay/global-id';
import { lockArtistsAgainstRegistration, lockRegistrationKeys } from '../../src/works/registration-locks';
import { ArtistRole } from '../../src/works/work-artist.entity';
import { validateWorks } from '../../src/works/works.validation';
import type { WorkInput } from '../../src/works/works.types';
import type { TestDatabase } from '../support/database';
import { startDemoGateway, stopDemoGateway } from '../support/demo-gateway';
import { countRows, type Demo } from '../support/demo';
import type { TestGateway } from '../support/gateway';
import { holdingTransaction, lockWaiters, waitUntil } from '../support/locks';

let db: TestDatabase;
let gateway: TestGateway;
let demo: Demo;

const REGISTER = `mutation Register($input: [WorkInput!]!) {
  registerWorks(input: $input) {
    createdCount updatedCount unchangedCount
    works { isrc title iswc releaseDate artists { role artist { name isni } } rightsholders { shareBps label { name } } }
  }
}`;

function work(isrc: string, overrides: Record<string, unknown> = {}) {
  return {
    isrc,
    title: `Song ${isrc}`,
    artists: [{ name: 'Test Artist', role: 'MAIN' }],
    rightsholders: [{ label: demo.aurora.globalId, shareBps: 10000 }],
    ...overrides,
  };
}

async function tableCounts() {
  const tables = ['work', 'artist', 'work_artist', 'right_share', 'change_event'];
  return Object.fromEntries(await Promise.all(tables.map(async (t) => [t, await countRows(db.dataSource, t)])));
}

beforeAll(async () => ({ db, gateway, demo } = await startDemoGateway()));
afterAll(() => stopDemoGateway({ db, gateway }));

describe('registerWorks', () => {
  it('creates works with normalized identifiers, credits and shares, and records one event per work', async () => {
    const before = await countRows(db.dataSource, 'change_event');
    const { body } = await gateway.request(demo.aurora.token, REGISTER, {
      input: [
        work('gb-xyz-26-00001', {
          title: '  First Light ',
          iswc: 'T-034.524.680-1',
          releaseDate: '2026-03-01',
          artists: [
            { name: 'Nadia Rey', isni: '0000 0001 2103 2683', role: 'MAIN' },
            { name: 'Guest Voice', role: 'FEATURED' },
          ],
        }),
        work('GBXYZ2600002', {
          rightsholders: [
            { label: demo.aurora.globalId, shareBps: 7000 },
            { label: demo.meridian.globalId, shareBps: 3000 },
          ],
        }),
      ],
    });
    expect(body.errors).toBeUndefined();
    expect(body.data.registerWorks).toMatchObject({ createdCount: 2, updatedCount: 0, unchangedCount: 0 });
    expect(body.data.registerWorks.works[0]).toEqual({
      isrc: 'GBXYZ2600001',
      title: 'First Light',
      iswc: 'T0345246801',
      releaseDate: '2026-03-01',
      artists: [
        { role: 'MAIN', artist: { name: 'Nadia Rey', isni: '0000000121032683' } },
        { role: 'FEATURED', artist: { name: 'Guest Voice', isni: null } },
      ],
      rightsholders: [{ shareBps: 10000, label: { name: 'Aurora Records' } }],
    });
    expect(body.data.registerWorks.works[1].rightsholders).toEqual([
      { shareBps: 7000, label: { name: 'Aurora Records' } },
      { shareBps: 3000, label: { name: 'Meridian Music' } },
    ]);
    const events = await db.dataSource.query(
      `SELECT type, actor_id, partner_ids, payload->>'isrc' AS isrc FROM change_event WHERE id > $1 ORDER BY id`,
      [before],
    );
    expect(events).toEqual([
      { type: 'WORK_REGISTERED', actor_id: demo.aurora.id, partner_ids: [demo.aurora.id], isrc: 'GBXYZ2600001' },
      {
        type: 'WORK_REGISTERED',
        actor_id: demo.aurora.id,
        partner_ids: expect.arrayContaining([demo.aurora.id, demo.meridian.id]),
        isrc: 'GBXYZ2600002',
      },
    ]);
  });

  it('is idempotent: the same call again writes nothing and reports the works unchanged', async () => {
    const input = [work('GBXYZ2600010'), work('GBXYZ2600011')];
    await gateway.request(demo.aurora.token, REGISTER, { input });
    const before = await tableCounts();
    const { body } = await gateway.request(demo.aurora.token, REGISTER, { input });
    expect(body.data.registerWorks).toMatchObject({ createdCount: 0, updatedCount: 0, unchangedCount: 2 });
    expect(await tableCounts()).toEqual(before);
  });

  it('replaces a registered work entirely when its content changes', async () => {
    await gateway.request(demo.aurora.token, REGISTER, { input: [work('GBXYZ2600020')] });
    const { body } = await gateway.request(demo.aurora.token, REGISTER, {
      input: [work('GBXYZ2600020', { title: 'Renamed', artists: [{ name: 'Someone Else', role: 'MAIN' }] })],
    });
    expect(body.data.registerWorks).toMatchObject({ createdCount: 0, updatedCount: 1 });
    expect(body.data.registerWorks.works[0]).toMatchObject({
      title: 'Renamed',
      artists: [{ role: 'MAIN', artist: { name: 'Someone Else' } }],
    });
    const [{ type }] = await db.dataSource.query(`SELECT type FROM change_event ORDER BY id DESC LIMIT 1`);
    expect(type).toBe('WORK_UPDATED');
  });

  it('registers 5,000 works in one call', async () => {
    const input = Array.from({ length: 5000 }, (_, i) => work(`GBBLK26${String(i).padStart(5, '0')}`));
    const { body } = await gateway.request(demo.aurora.token, REGISTER.replace(/works \{[^]*\}\n  \}/, 'works { isrc }\n  }'), { input });
    expect(body.errors).toBeUndefined();
    expect(body.data.registerWorks.createdCount).toBe(5000);
    const [{ count }] = await db.dataSource.query(`SELECT count(*)::int AS count FROM work WHERE isrc LIKE 'GBBLK26%'`);
    expect(count).toBe(5000);
  });

  describe('refuses bad input with BAD_USER_INPUT naming the item, and writes nothing', () => {
    const cases: [string, () => unknown[], RegExp][] = [
      ['a malformed ISRC', () => [work('GBXYZ2600100'), work('GB-XYZ-26-0001')], /ISRC/],
      ['a bad ISWC check digit', () => [work('GBXYZ2600101', { iswc: 'T-034.524.680-2' })], /check digit is 2, expected 1/],
      [
        'a bad ISNI check character',
        () => [work('GBXYZ2600102', { artists: [{ name: 'A', isni: '0000 0001 2103 2684', role: 'MAIN' }] })],
        /check character is 4, expected 3/,
      ],
      [
        'shares that do not sum to 10000 bps',
        () => [work('GBXYZ2600103'), work('GBXYZ2600104', { rightsholders: [{ label: demo.aurora.globalId, shareBps: 9000 }] })],
        /input\[1\] \(GBXYZ2600104\)\.rightsholders: shares sum to 9000 bps, expected exactly 10000/,
      ],
      [
        'an unknown label',
        () => [work('GBXYZ2600105', { rightsholders: [{ label: demo.aurora.globalId, shareBps: 5000 }, { label: 'UGFydG5lcjowMDAwMDAwMC0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDA', shareBps: 5000 }] })],
        /input\[0\] \(GBXYZ2600105\)\.rightsholders\[1\]\.label: no LABEL partner/,
      ],
      [
        'a partner that is not a label',
        () => [work('GBXYZ2600106', { rightsholders: [{ label: demo.resonance.globalId, shareBps: 10000 }] })],
        /rightsholders\[0\]\.label: no LABEL partner/,
      ],
      ['duplicate ISRCs in one call', () => [work('GBXYZ2600107'), work('gbxyz2600107')], /input\[1\] \(GBXYZ2600107\)\.isrc: duplicate of input\[0\]/],
      ['no MAIN artist', () => [work('GBXYZ2600108', { artists: [{ name: 'A', role: 'FEATURED' }] })], /at least one MAIN artist/],
      [
        'an artist name too long for its index (found by fuzzing: a 500 before)',
        () => [work('GBXYZ2600109', { artists: [{ name: '名'.repeat(2000), role: 'MAIN' }] })],
        /input\[0\] \(GBXYZ2600109\)\.artists\[0\]\.name: artist name must be at most 500 characters/,
      ],
      ['a title over 1,000 characters', () => [work('GBXYZ2600110', { title: 'T'.repeat(1001) })], /\.title: title must be at most 1000 characters/],
      [
        'a label listed twice, once by its id padded with "=" (found by fuzzing: a 500 before)',
        () => [work('GBXYZ2600111', { rightsholders: [{ label: demo.aurora.globalId, shareBps: 5000 }, { label: `${demo.aurora.globalId}=`, shareBps: 5000 }] })],
        /input\[0\] \(GBXYZ2600111\)\.rightsholders\[1\]\.label: "[\w-]+=" is not a partner id/,
      ],
      ['a release date in year 0 (found by fuzzing: a 500 before)', () => [work('GBXYZ2600112', { releaseDate: '0000-01-01' })], /\.releaseDate: releaseDate must be in year 0001 or later/],
      ['more than 5,000 works', () => Array.from({ length: 5001 }, (_, i) => work(`GBMAX26${String(i).padStart(5, '0')}`)), /at most 5000 works per call, got 5001/],
    ];
    it.each(cases)('%s', async (_name, input, message) => {
      const before = await tableCounts();
      const { body } = await gateway.request(demo.aurora.token, REGISTER, { input: input() });
      expect(body.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
      expect(body.errors?.[0].message).toMatch(message);
      expect(await tableCounts()).toEqual(before);
    });
  });

  describe('authorization', () => {
    it("refuses a label registering a work it has no share in, and a takeover of another label's work", async () => {
      const before = await tableCounts();
      const foreign = await gateway.request(demo.aurora.token, REGISTER, {
        input: [work('GBXYZ2600200', { rightsholders: [{ label: demo.meridian.globalId, shareBps: 10000 }] })],
      });
      expect(foreign.body.errors[0].extensions.code).toBe('FORBIDDEN');
      const takeover = await gateway.request(demo.aurora.token, REGISTER, { input: [work('QZMER2600002')] });
      expect(takeover.body.errors[0].extensions).toMatchObject({ code: 'FORBIDDEN', isrc: 'QZMER2600002' });
      expect(await tableCounts()).toEqual(before);
    });

    it('refuses a distributor without MANAGE_CATALOG and AI partners', async () => {
      for (const token of [demo.tidewater.token, demo.resonance.token]) {
        const { body } = await gateway.request(token, REGISTER, { input: [work('GBXYZ2600201')] });
        expect(body.errors[0].extensions.code).toBe('FORBIDDEN');
      }
      expect(await countRows(db.dataSource, 'work')).toBeGreaterThan(0);
      const [{ count }] = await db.dataSource.query(`SELECT count(*)::int AS count FROM work WHERE isrc = 'GBXYZ2600201'`);
      expect(count).toBe(0);
    });

    it('lets a distributor register for a label once granted MANAGE_CATALOG', async () => {
      const grant = await gateway.request(demo.aurora.token, `mutation($d: ID!) { grantMandate(input: {distributor: $d, permissions: [MANAGE_CATALOG]}) { id } }`, { d: demo.tidewater.globalId });
      expect(grant.body.errors).toBeUndefined();
      const { body } = await gateway.request(demo.tidewater.token, REGISTER, { input: [work('GBXYZ2600202')] });
      expect(body.errors).toBeUndefined();
      expect(body.data.registerWorks.createdCount).toBe(1);
    });
  });

  it('keeps exactly one consistent work when 10 calls register the same new ISRC at once, each call answered', async () => {
    const calls = Array.from({ length: 10 }, (_, i) =>
      gateway.request(demo.aurora.token, REGISTER, { input: [work('GBRCE2600001', { title: `Take ${i}` })] }),
    );
    const results = await Promise.all(calls);
    expect(results.map(({ body }) => body.errors)).toEqual(Array(10).fill(undefined));
    // The calls queue: one creates the work, each later one finds it and replaces its title.
    expect(results.map(({ body }) => body.data.registerWorks.createdCount).sort()).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    expect(results.filter(({ body }) => body.data.registerWorks.updatedCount === 1)).toHaveLength(9);
    const rows = await db.dataSource.query(
      `SELECT w.title, (SELECT count(*)::int FROM right_share rs WHERE rs.work_id = w.id) AS shares
       FROM work w WHERE isrc = 'GBRCE2600001'`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].shares).toBe(1);
  });

  it('does not wait for transactions inserting rows that refer to its works, so the two cannot deadlock', async () => {
    await gateway.request(demo.aurora.token, REGISTER, { input: [work('GBKSH2600001')] });
    // A usage line or an agreement's selected work being inserted: its foreign-key check holds this lock
    // on the work's row until it commits, and such inserts take theirs in their own order.
    const referring = await holdingTransaction(db.dataSource, `SELECT 1 FROM work WHERE isrc = 'GBKSH2600001' FOR KEY SHARE`, []);
    try {
      const call = gateway.request(demo.aurora.token, REGISTER, { input: [work('GBKSH2600001', { title: 'Renamed' })] });
      // Unref'd: once the call has answered, the deadline must not hold the test process open for 3 s.
      const outcome = await Promise.race([call, new Promise((resolve) => setTimeout(() => resolve('still waiting'), 3_000).unref())]);
      expect(outcome).not.toBe('still waiting');
      expect((outcome as Awaited<typeof call>).body.data.registerWorks.updatedCount).toBe(1);
    } finally {
      await referring.rollbackTransaction();
      await referring.release();
    }
  });

  describe('and a consent record on an artist it credits', () => {
    const recordConsent = (artistId: string) =>
      gateway.request(demo.aurora.token, `mutation($input: RecordConsentInput!) { recordConsent(input: $input) { records { id } } }`, {
        input: {
          artists: [toGlobalId('Artist', artistId)],
          state: 'GRANTED',
          useTypes: ['TRAINING'],
          territories: ['WORLD'],
          grantedBy: { name: 'Credited Artist' },
          evidence: { method: 'SIGNED_DOCUMENT', documentHash: 'ab'.repeat(32) },
        },
      });
    /** Whether the call is blocked on a lock: polled, not timed, so a slow machine cannot pass it by accident. */
    async function waitsForALock(call: Promise<unknown>): Promise<boolean> {
      let settled = false;
      void call.finally(() => (settled = true));
      await waitUntil(async () => settled || (await lockWaiters(db.dataSource)) > 0);
      return !settled;
    }
    const lastEventTransaction = async (type: string): Promise<bigint> => {
      const [event] = await db.dataSource.query(
        `SELECT transaction_id::text AS transaction_id FROM change_event WHERE type = $1 ORDER BY id DESC LIMIT 1`,
        [type],
      );
      return BigInt(event.transaction_id);
    };

    it('queue: the consent waits for the registration, and draws the later transaction id', async () => {
      const credit: WorkInput = {
        isrc: 'GBCNS2600002',
        title: 'Credited',
        artists: [{ name: 'Credited Artist', role: ArtistRole.MAIN }],
        rightsholders: [{ label: demo.aurora.globalId, shareBps: 10000 }],
      };
      await gateway.request(demo.aurora.token, REGISTER, { input: [work('GBCNS2600001', { artists: credit.artists })] });
      const [{ id }] = await db.dataSource.query(`SELECT id FROM artist WHERE name = 'Credited Artist'`);
      // A registerWorks crediting the artist, holding what it takes first (before it has a transaction id).
      const registration = db.dataSource.createQueryRunner();
      await registration.connect();
      await registration.startTransaction();
      try {
        await lockRegistrationKeys(registration.manager, validateWorks([credit]));
        const consent = recordConsent(id);
        expect(await waitsForALock(consent)).toBe(true);
        // Its first write, while the consent waits.
        const [{ xid }] = await registration.query(`SELECT pg_current_xact_id()::text AS xid`);
        await registration.commitTransaction();
        expect((await consent).body.errors).toBeUndefined();
        // The outbox orders by transaction id: consentChanged's followers learn the credit before judging the consent.
        expect(await lastEventTransaction('CONSENT_RECORDED')).toBeGreaterThan(BigInt(xid));
      } finally {
        if (registration.isTransactionActive) await registration.rollbackTransaction();
        await registration.release();
      }
    });

    it('queue the other way: the registration waits for the consent being written, and draws the later transaction id', async () => {
      await gateway.request(demo.aurora.token, REGISTER, { input: [work('GBCNS2600003', { artists: [{ name: 'Consenting Artist', role: 'MAIN' }] })] });
      const [{ id }] = await db.dataSource.query(`SELECT id FROM artist WHERE name = 'Consenting Artist'`);
      const consent = await holdingTransaction(db.dataSource, `SELECT 1`, []);
      try {
        await lockArtistsAgainstRegistration(consent.manager, [id]);
        const call = gateway.request(demo.aurora.token, REGISTER, {
          input: [work('GBCNS2600004', { artists: [{ name: 'Consenting Artist', role: 'MAIN' }] })],
        });
        expect(await waitsForALock(call)).toBe(true);
        // The consent's first write, while the registration waits.
        const [{ xid }] = await consent.query(`SELECT pg_current_xact_id()::text AS xid`);
        await consent.commitTransaction();
        expect((await call).body.data.registerWorks.createdCount).toBe(1);
        expect(await lastEventTransaction('WORK_REGISTERED')).toBeGreaterThan(BigInt(xid));
      } finally {
        if (consent.isTransactionActive) await consent.rollbackTransaction();
        await consent.release();
      }
    });
  });

  it('answers concurrent calls that write the same new works and new artists in different orders, without deadlock', async () => {
    const isrcs = Array.from({ length: 20 }, (_, i) => `GBDLK26${String(i).padStart(5, '0')}`);
    const artists = Array.from({ length: 20 }, (_, i) => `Deadlock Artist ${i}`);
    const shuffled = <T>(items: T[], seed: number) =>
      items.map((item, i) => ({ item, order: (i * 7919 + seed * 104729) % 101 })).sort((a, b) => a.order - b.order).map((x) => x.item);
    const before = await tableCounts();
    for (let round = 0; round < 3; round += 1) {
      const calls = Array.from({ length: 6 }, (_, call) => {
        const names = shuffled(artists, round * 6 + call);
        const input = shuffled(isrcs, round * 6 + call + 1).map((isrc, i) =>
          work(isrc, { artists: [{ name: names[i], role: 'MAIN' }, { name: names[(i + 1) % names.length], role: 'FEATURED' }] }),
        );
        return gateway.request(demo.aurora.token, REGISTER, { input });
      });
      const results = await Promise.all(calls);
      expect(results.map(({ body }) => body.errors?.[0]?.extensions?.code)).toEqual(Array(6).fill(undefined));
    }
    const after = await tableCounts();
    expect(after.work - before.work).toBe(20);
    expect(after.artist - before.artist).toBe(20);
    const [{ credits, shares }] = await db.dataSource.query(
      `SELECT (SELECT count(*)::int FROM work_artist wa JOIN work w ON w.id = wa.work_id WHERE w.isrc = ANY($1)) AS credits,
              (SELECT count(*)::int FROM right_share rs JOIN work w ON w.id = rs.work_id WHERE w.isrc = ANY($1)) AS shares`,
      [isrcs],
    );
    expect({ credits, shares }).toEqual({ credits: 40, shares: 20 });
  });
});
