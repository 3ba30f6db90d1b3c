import { followedWorks } from '../../src/consent/consent-changed';
import { CursorExpiredError } from '../../src/events/changes.errors';
import { ORIGIN } from '../../src/events/cursor';
import { insertAgreement } from '../support/agreements-fixtures';
import type { TestDatabase } from '../support/database';
import type { Demo } from '../support/demo';
import { startDemoGateway, stopDemoGateway } from '../support/demo-gateway';
import type { TestGateway, Json } from '../support/gateway';
import { bearer, subscribeChanges, type ChangeSubscriber } from '../support/subscriptions';

/** An AI partner's pipeline following the works it trains on: consent and agreement changes, and nothing else. */
let db: TestDatabase;
let gateway: TestGateway;
let demo: Demo;
const subscribers: ChangeSubscriber[] = [];

const FOLLOWED = 'QZAUR2600001';
const NOT_FOLLOWED = 'QZAUR2600003';
const CONSENT_CHANGED = `subscription($isrcs: [ISRC!], $since: String) {
  consentChanged(isrcs: $isrcs, since: $since) { cursor type entityId occurredAt payload actor { name } }
}`;
const DECLARATION = {
  useTypes: ['TRAINING'],
  territories: ['WORLD'],
  grantedBy: { name: 'Nova Vale' },
  evidence: { method: 'SIGNED_DOCUMENT', documentHash: 'ef'.repeat(32) },
};

function follow(token: string, isrcs?: string[]): ChangeSubscriber {
  const subscriber = subscribeChanges(gateway.url, bearer(token), isrcs ? { isrcs } : {}, CONSENT_CHANGED);
  subscribers.push(subscriber);
  return subscriber;
}

async function mutate(query: string, input: unknown) {
  const { body } = await gateway.request(demo.aurora.token, query, { input });
  if (body.errors) throw new Error(body.errors[0].message);
  return body.data;
}

const record = (works: string[] | null, artists: string[] | null = null) =>
  mutate(`mutation($input: RecordConsentInput!) { recordConsent(input: $input) { records { id } } }`, {
    ...DECLARATION,
    ...(works ? { works } : {}),
    ...(artists ? { artists } : {}),
    state: 'GRANTED',
  });

/** Aurora registers (or replaces) one of its works, wholly owned unless told otherwise. */
const register = (work: Record<string, unknown>) =>
  mutate(`mutation($input: [WorkInput!]!) { registerWorks(input: $input) { updatedCount } }`, [
    { rightsholders: [{ label: demo.aurora.globalId, shareBps: 10000 }], ...work },
  ]);

beforeAll(async () => {
  ({ db, gateway, demo } = await startDemoGateway());
  await insertAgreement(db.dataSource, { licensor: demo.aurora.id, licensee: demo.resonance.id });
});
afterAll(async () => {
  await Promise.all(subscribers.map((s) => s.dispose()));
  await stopDemoGateway({ db, gateway });
});

describe('consentChanged', () => {
  it('delivers a withdrawal on a followed work within a second of its commit, and only what concerns the followed works', async () => {
    const pipeline = follow(demo.resonance.token, [FOLLOWED]);
    const unlicensed = follow(demo.cadence.token);
    await Promise.all([pipeline.acknowledged, unlicensed.acknowledged]);
    await new Promise((resolve) => setTimeout(resolve, 200));

    await record([FOLLOWED]);
    await record([NOT_FOLLOWED]);
    const [granted] = await pipeline.waitFor(1);
    expect(granted).toMatchObject({ type: 'CONSENT_RECORDED', payload: { scope: 'WORK', isrc: FOLLOWED, state: 'GRANTED' } });

    const committed = Date.now();
    await mutate(`mutation($input: WithdrawConsentInput!) { withdrawConsent(input: $input) { records { id } } }`, { ...DECLARATION, works: [FOLLOWED] });
    const events = await pipeline.waitFor(2, 1_000);
    expect(Date.now() - committed).toBeLessThan(1_000);
    expect(events[1]).toMatchObject({ type: 'CONSENT_WITHDRAWN', payload: { scope: 'WORK', isrc: FOLLOWED, state: 'WITHDRAWN' } });
    // An AI partner reads decisions, never consent records: no evidence, no declarant, no terms.
    expect(Object.keys(events[1].payload).sort()).toEqual(['isrc', 'scope', 'state']);

    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(pipeline.events.map((e) => e.payload.isrc)).toEqual([FOLLOWED, FOLLOWED]);
    expect(unlicensed.events).toEqual([]);
  });

  it("hears consent on a followed work's MAIN artist, and changes to the agreements over it", async () => {
    const pipeline = follow(demo.resonance.token, [FOLLOWED]);
    await pipeline.acknowledged;
    await new Promise((resolve) => setTimeout(resolve, 200));
    const { body } = await gateway.request(demo.operations.token, `query($isrc: ISRC!) { work(isrc: $isrc) { artists { role artist { id } } } }`, {
      isrc: FOLLOWED,
    });
    const artist = body.data.work.artists.find((a: Json) => a.role === 'MAIN').artist.id;
    await record(null, [artist]);
    const [artistEvent] = await pipeline.waitFor(1);
    expect(artistEvent).toMatchObject({ type: 'CONSENT_RECORDED', payload: { scope: 'ARTIST', artist, state: 'GRANTED' } });

    const agreements = await gateway.request(demo.resonance.token, `{ agreements(first: 10) { edges { node { id version } } } }`);
    const agreement = agreements.body.data.agreements.edges[0].node;
    await mutate(`mutation($input: AgreementChangeInput!) { suspendAgreement(input: $input) { state } }`, {
      agreement: agreement.id,
      expectedVersion: agreement.version,
    });
    const events = await pipeline.waitFor(2);
    expect(events[1]).toMatchObject({ type: 'AGREEMENT_SUSPENDED', entityId: agreement.id, payload: { state: 'SUSPENDED' } });
  });

  it('resumes from a cursor: what happened while disconnected is replayed, filtered to the followed works', async () => {
    const first = follow(demo.resonance.token, [FOLLOWED]);
    await first.acknowledged;
    await new Promise((resolve) => setTimeout(resolve, 200));
    await record([FOLLOWED]);
    const [seen] = await first.waitFor(1);
    await first.dispose();
    await record([NOT_FOLLOWED]);
    await record([FOLLOWED]);
    const resumed = subscribeChanges(gateway.url, bearer(demo.resonance.token), { isrcs: [FOLLOWED], since: seen.cursor }, CONSENT_CHANGED);
    subscribers.push(resumed);
    const [missed] = await resumed.waitFor(1);
    expect(missed).toMatchObject({ type: 'CONSENT_RECORDED', payload: { isrc: FOLLOWED } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(resumed.events).toHaveLength(1);
  });

  it('hears a work given a new MAIN artist, then consent on that artist; not a change of title', async () => {
    const isrc = 'QZAUR2690001';
    const firstVoice = { name: 'First Voice', role: 'MAIN' };
    await register({ isrc, title: 'Before', artists: [firstVoice] });
    const pipeline = follow(demo.resonance.token, [isrc]);
    await pipeline.acknowledged;
    await new Promise((resolve) => setTimeout(resolve, 200));

    await register({ isrc, title: 'Renamed', artists: [firstVoice] });
    await register({ isrc, title: 'Renamed', artists: [firstVoice, { name: 'Second Voice', role: 'MAIN' }] });
    const [updated] = await pipeline.waitFor(1);
    // What work(isrc:) shows anyone: neither owners nor credits travel in the event.
    expect(updated).toMatchObject({ type: 'WORK_UPDATED', payload: { isrc, title: 'Renamed' } });
    expect(Object.keys(updated.payload).sort()).toEqual(['isrc', 'title']);

    const { body } = await gateway.request(demo.resonance.token, `query($isrc: ISRC!) { work(isrc: $isrc) { artists { artist { id name } } } }`, { isrc });
    const secondVoice = body.data.work.artists.find((a: Json) => a.artist.name === 'Second Voice').artist.id;
    await record(null, [secondVoice]);
    const events = await pipeline.waitFor(2);
    expect(events[1]).toMatchObject({ type: 'CONSENT_RECORDED', payload: { scope: 'ARTIST', artist: secondVoice, state: 'GRANTED' } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(pipeline.events.map((e) => e.type)).toEqual(['WORK_UPDATED', 'CONSENT_RECORDED']);
  });

  it('hears, on every work it licenses, a new co-owner that turns its decision to NO_AGREEMENT; a partner licensing nothing hears nothing', async () => {
    const isrc = 'QZAUR2690002';
    const voice = { name: 'Co-owned Voice', role: 'MAIN' };
    await register({ isrc, title: 'Shared', artists: [voice] });
    const pipeline = follow(demo.resonance.token);
    const unlicensed = follow(demo.cadence.token);
    await Promise.all([pipeline.acknowledged, unlicensed.acknowledged]);
    await new Promise((resolve) => setTimeout(resolve, 200));

    await register({
      isrc,
      title: 'Shared',
      artists: [voice],
      rightsholders: [
        { label: demo.aurora.globalId, shareBps: 6000 },
        { label: demo.meridian.globalId, shareBps: 4000 },
      ],
    });
    const [updated] = await pipeline.waitFor(1);
    expect(updated).toMatchObject({ type: 'WORK_UPDATED', payload: { isrc, title: 'Shared' } });
    const { body } = await gateway.request(
      demo.resonance.token,
      `query($isrcs: [ISRC!]!) { consentDecisions(isrcs: $isrcs, use: TRAINING, territory: "FR") { decisions { decision reasons rightsholdersWithoutAgreement } } }`,
      { isrcs: [isrc] },
    );
    expect(body.data.consentDecisions.decisions[0]).toMatchObject({
      decision: 'DENY',
      reasons: expect.arrayContaining(['NO_AGREEMENT']),
      // Aurora's own agreement was suspended by an earlier test: a suspended licensee still hears of changes.
      rightsholdersWithoutAgreement: expect.arrayContaining([demo.meridian.globalId]),
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(unlicensed.events).toEqual([]);
  });

  it('learns of a new MAIN artist on a followed work it does not license yet, and hears consent on that artist once it does, live and replayed', async () => {
    const isrc = 'QZAUR2690003';
    const asMeridian = async (query: string, input: unknown) => {
      const { body } = await gateway.request(demo.meridian.token, query, { input });
      if (body.errors) throw new Error(body.errors[0].message);
      return body.data;
    };
    const registerForMeridian = (artists: { name: string; role: string }[]) =>
      asMeridian(`mutation($input: [WorkInput!]!) { registerWorks(input: $input) { updatedCount } }`, [
        { isrc, title: 'Not yet licensed', artists, rightsholders: [{ label: demo.meridian.globalId, shareBps: 10000 }] },
      ]);
    const loneVoice = { name: 'Lone Voice', role: 'MAIN' };
    await registerForMeridian([loneVoice]);
    const pipeline = follow(demo.resonance.token, [isrc, FOLLOWED]);
    await pipeline.acknowledged;
    await new Promise((resolve) => setTimeout(resolve, 200));
    await record([FOLLOWED]);
    const [before] = await pipeline.waitFor(1);

    // Resonance licenses nothing of Meridian's: it may not hear of this change, but its filter learns of it.
    await registerForMeridian([loneVoice, { name: 'Late Voice', role: 'MAIN' }]);
    await insertAgreement(db.dataSource, { licensor: demo.meridian.id, licensee: demo.resonance.id });
    const { body } = await gateway.request(demo.resonance.token, `query($isrc: ISRC!) { work(isrc: $isrc) { artists { artist { id name } } } }`, { isrc });
    const lateVoice = body.data.work.artists.find((a: Json) => a.artist.name === 'Late Voice').artist.id;
    await asMeridian(`mutation($input: RecordConsentInput!) { recordConsent(input: $input) { records { id } } }`, {
      ...DECLARATION,
      artists: [lateVoice],
      state: 'GRANTED',
    });
    const events = await pipeline.waitFor(2);
    expect(events[1]).toMatchObject({ type: 'CONSENT_RECORDED', payload: { scope: 'ARTIST', artist: lateVoice } });

    // Late Voice leaves the work: replayed from before it came, the consent on it is still one that mattered then.
    await registerForMeridian([loneVoice]);
    await pipeline.waitFor(3);
    const resumed = subscribeChanges(gateway.url, bearer(demo.resonance.token), { isrcs: [isrc], since: before.cursor }, CONSENT_CHANGED);
    subscribers.push(resumed);
    const replayed = await resumed.waitFor(2);
    expect(replayed.map((e) => [e.type, e.payload.artist ?? e.payload.isrc])).toEqual([
      ['CONSENT_RECORDED', lateVoice],
      ['WORK_UPDATED', isrc],
    ]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(pipeline.events).toHaveLength(3);
    expect(resumed.events).toHaveLength(2);
  });

  it('loads no follower for a replay from a position pruned since its cursor was checked: CURSOR_EXPIRED rather than artists missed', async () => {
    await db.dataSource.query(`UPDATE change_event_retention SET pruned_through_transaction = '1', pruned_through_id = 1`);
    try {
      await expect(followedWorks(db.dataSource, [FOLLOWED]).load(ORIGIN, true)).rejects.toThrow(CursorExpiredError);
      await expect(followedWorks(db.dataSource, [FOLLOWED]).load({ transactionId: 1n, id: 1n }, true)).resolves.toBeUndefined();
      // Live only, from the head of an outbox pruned empty (ORIGIN): nothing to replay, nothing expired.
      await expect(followedWorks(db.dataSource, [FOLLOWED]).load(ORIGIN, false)).resolves.toBeUndefined();
    } finally {
      await db.dataSource.query(`UPDATE change_event_retention SET pruned_through_transaction = '0', pruned_through_id = 0`);
    }
  });

  it('is refused to labels', async () => {
    const label = follow(demo.aurora.token, [FOLLOWED]);
    await label.ended;
    expect(label.errors[0].extensions.code).toBe('FORBIDDEN');
  });
});
