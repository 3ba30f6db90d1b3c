import fc from 'fast-check';
import { agreementCall } from '../support/agreements';
import type { TestDatabase } from '../support/database';
import type { Demo, DemoPartner } from '../support/demo';
import { startDemoGateway, stopDemoGateway } from '../support/demo-gateway';
import type { Json, TestGateway } from '../support/gateway';
import { bearer, subscribeChanges, type ChangeSubscriber, type ReceivedChange } from '../support/subscriptions';

/**
 * Property: whatever catalog, consent and agreement mutations two labels make through the API, when
 * Resonance's `consentDecisions` answer (decision and reasons) on a work changes, consentChanged has
 * announced it before the next check: to the subscriber following every work it licenses, and to the
 * one following that work by ISRC (also an ISRC not registered yet when it subscribed). Subscribers
 * resuming with `since` from before the sequence are told again of each change, by one of the events
 * written between the two checks around it (a live subscriber may hear more: a former owner or artist
 * stays followed live, one event too many rather than one missed).
 *
 * Reasons may change without an event on a work Resonance does not license (no agreement in force or
 * suspended with any owner, before or after): README, "Who hears what". Such a change never turns the
 * decision, and the agreement that would turn it is announced.
 *
 * Every run has its own works and artists, and terminates its agreements when done; the labels and the
 * AI partner are the demo's.
 */
let db: TestDatabase;
let gateway: TestGateway;
let demo: Demo;
/** Internal's `changes`: every event, to know when a mutation's events have been handed out. */
let everything: ChangeSubscriber;

const RUNS = 60;
const SEED = 20_260_611;
const WORKS = 5;
/** Works 0..2 are registered before the subscribers open; 3 and 4 are not, until a command registers them. */
const INITIAL_WORKS = 3;
const ARTISTS = 4;
/** The works each ISRC-following subscriber follows (each has one not registered at first). */
const FOLLOWED = [
  [0, 1, 3],
  [2, 4],
];
const TERRITORY = 'FR';
const MARKER_ISRC = 'QZPRB9900001';
/** After the marker reached internal's socket: time for the events before it to reach the others. */
const SETTLE_MS = 50;

type Label = 'A' | 'M';
type ConsentState = 'GRANTED' | 'REFUSED' | 'WITHDRAWN';
type AgreementState = 'DRAFT' | 'PROPOSED' | 'ACTIVE' | 'SUSPENDED' | 'TERMINATED' | 'DECLINED' | 'EXPIRED';

interface Registration {
  owners: Label[];
  main: number[];
  featured: number | undefined;
  title: string;
}
interface Terms {
  scope: 'ALL' | number[];
  excludeTerritory: boolean;
  use: 'TRAINING' | 'FINE_TUNING';
}
type Command =
  | ({ kind: 'register'; work: number } & Registration)
  | { kind: 'consent'; work?: number; artist?: number; state: ConsentState }
  /** The label's agreement one step further: create, propose, accept, resume; amend when ACTIVE, then accept. */
  | { kind: 'advance'; label: Label; terms: Terms }
  | { kind: 'suspend' | 'terminate'; label: Label };

const labelArbitrary = fc.constantFrom<Label>('A', 'M');
const registrationArbitrary: fc.Arbitrary<Registration> = fc.record({
  owners: fc.constantFrom<Label[]>(['A'], ['M'], ['A', 'M']),
  main: fc.subarray([0, 1, 2, 3], { minLength: 1, maxLength: 2 }),
  featured: fc.option(fc.nat(ARTISTS - 1), { nil: undefined }),
  title: fc.constantFrom('First Light', 'Second Light'),
});
const termsArbitrary: fc.Arbitrary<Terms> = fc.record({
  scope: fc.oneof(
    { arbitrary: fc.constant<'ALL'>('ALL'), weight: 3 },
    { arbitrary: fc.subarray([0, 1, 2, 3, 4], { minLength: 1, maxLength: 2 }), weight: 1 },
  ),
  excludeTerritory: fc.boolean(),
  use: fc.oneof(
    { arbitrary: fc.constant<'TRAINING'>('TRAINING'), weight: 4 },
    { arbitrary: fc.constant<'FINE_TUNING'>('FINE_TUNING'), weight: 1 },
  ),
});
const commandArbitrary: fc.Arbitrary<Command> = fc.oneof(
  { arbitrary: fc.tuple(fc.nat(WORKS - 1), registrationArbitrary).map(([work, r]) => ({ kind: 'register' as const, work, ...r })), weight: 3 },
  {
    arbitrary: fc
      .tuple(
        fc.oneof(fc.record({ work: fc.nat(WORKS - 1) }), fc.record({ artist: fc.nat(ARTISTS - 1) })),
        fc.constantFrom<ConsentState>('GRANTED', 'REFUSED', 'WITHDRAWN'),
      )
      .map(([subject, state]) => ({ kind: 'consent' as const, ...subject, state })),
    weight: 4,
  },
  { arbitrary: fc.record({ kind: fc.constant<'advance'>('advance'), label: labelArbitrary, terms: termsArbitrary }), weight: 5 },
  { arbitrary: fc.record({ kind: fc.constantFrom<'suspend' | 'terminate'>('suspend', 'suspend', 'terminate'), label: labelArbitrary }), weight: 1 },
);
const scenarioArbitrary = fc.record({
  catalog: fc.array(registrationArbitrary, { minLength: INITIAL_WORKS, maxLength: INITIAL_WORKS }),
  /** Labels with an agreement in force (TRAINING, worldwide, whole catalog), artists having granted consent. */
  licensors: fc.subarray<Label>(['A', 'M']),
  granting: fc.subarray([0, 1, 2, 3]),
  commands: fc.array(commandArbitrary, { minLength: 1, maxLength: 24 }),
});

type Scenario = typeof scenarioArbitrary extends fc.Arbitrary<infer T> ? T : never;

const ALL_FOR_TRAINING: Terms = { scope: 'ALL', excludeTerritory: false, use: 'TRAINING' };
const wholly = (owner: Label, main: number[]): Registration => ({ owners: [owner], main, featured: undefined, title: 'First Light' });
/**
 * Found by this property, run first. Replayed from a cursor before them, each change of decision must
 * still be announced, although the work no longer has the owner or MAIN artist the event concerned.
 */
const REGRESSIONS: Scenario[] = [
  // The acceptance that allowed work 2, before Aurora gave the work to Meridian.
  {
    catalog: [wholly('A', [0]), wholly('A', [1]), wholly('A', [2])],
    licensors: [],
    granting: [2],
    commands: [
      { kind: 'advance', label: 'A', terms: ALL_FOR_TRAINING },
      { kind: 'advance', label: 'A', terms: ALL_FOR_TRAINING },
      { kind: 'advance', label: 'A', terms: ALL_FOR_TRAINING },
      { kind: 'register', work: 2, ...wholly('M', [2]) },
    ],
  },
  // The consent that allowed work 2, before its MAIN artist was replaced.
  {
    catalog: [wholly('A', [0]), wholly('A', [1]), wholly('A', [2])],
    licensors: ['A'],
    granting: [],
    commands: [
      { kind: 'consent', artist: 2, state: 'GRANTED' },
      { kind: 'register', work: 2, ...wholly('A', [3]) },
    ],
  },
];

const REGISTER = `mutation($input: [WorkInput!]!) { registerWorks(input: $input) { works { isrc artists { role artist { id name } } } } }`;
const RECORD = `mutation($input: RecordConsentInput!) { recordConsent(input: $input) { records { id } } }`;
const WITHDRAW = `mutation($input: WithdrawConsentInput!) { withdrawConsent(input: $input) { records { id } } }`;
const DECISIONS = `query($isrcs: [ISRC!]!, $territory: Territory!) {
  consentDecisions(isrcs: $isrcs, use: TRAINING, territory: $territory) { decisions { isrc decision reasons rightsholdersWithoutAgreement } }
}`;
const CONSENT_CHANGED = `subscription($isrcs: [ISRC!], $since: String) {
  consentChanged(isrcs: $isrcs, since: $since) { cursor type entityId payload }
}`;
const DECLARATION = {
  useTypes: ['TRAINING'],
  territories: ['WORLD'],
  grantedBy: { name: 'Declared by the artist' },
  evidence: { method: 'SIGNED_DOCUMENT', documentHash: 'cd'.repeat(32) },
};

interface Decision {
  decision: string;
  reasons: string[];
  rightsholdersWithoutAgreement: string[];
}
interface Agreement {
  id: string;
  version: number;
  state: AgreementState;
  pending: boolean;
}
interface Follower {
  name: string;
  /** Work indexes followed; undefined: every work Resonance licenses. */
  works: number[] | undefined;
  live: ChangeSubscriber;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const partnerOf = (label: Label): DemoPartner => (label === 'A' ? demo.aurora : demo.meridian);

async function call(token: string, query: string, variables: Record<string, unknown>): Promise<Json> {
  const { body } = await gateway.request(token, query, variables);
  if (body.errors) throw new Error(`${body.errors[0].extensions?.code}: ${body.errors[0].message}`);
  return body.data;
}

/** Resonance's decisions on the run's works, by work index. */
async function decide(isrcs: string[]): Promise<Decision[]> {
  const data = await call(demo.resonance.token, DECISIONS, { isrcs, territory: TERRITORY });
  return data.consentDecisions.decisions;
}

let markers = 0;
/**
 * Waits until the events of every mutation so far have been handed out: a title change on a work no
 * one follows (internal hears it, Resonance does not) travels the feed behind them.
 */
async function settle(): Promise<void> {
  const title = `Marker ${++markers}`;
  await call(demo.meridian.token, REGISTER, {
    input: [
      { isrc: MARKER_ISRC, title, artists: [{ name: 'Marker Voice', role: 'MAIN' }], rightsholders: [{ label: demo.meridian.globalId, shareBps: 10000 }] },
    ],
  });
  const deadline = Date.now() + 5_000;
  while (!everything.events.some((e) => e.payload.isrc === MARKER_ISRC && e.payload.title === title)) {
    if (Date.now() > deadline) throw new Error(`marker "${title}" not received`);
    await sleep(5);
  }
  await sleep(SETTLE_MS);
}

/** Whether Resonance licenses the work: an agreement in force or suspended with one of its owners. */
function licensed(decision: Decision, ownerCount: number): boolean {
  if (decision.reasons.includes('UNKNOWN_WORK')) return false;
  if (decision.reasons.includes('AGREEMENT_SUSPENDED') || decision.reasons.includes('TERRITORY_EXCLUDED')) return true;
  return decision.rightsholdersWithoutAgreement.length < ownerCount;
}

const same = (a: Decision, b: Decision) => a.decision === b.decision && a.reasons.join() === b.reasons.join();

/** One run: its works, artists, agreements and subscribers' view of them, and the mutations made. */
class Run {
  readonly isrcs: string[];
  private readonly artistNames: string[];
  private readonly artistIds = new Map<number, string>();
  private readonly works = new Map<number, { owners: Label[]; main: number[] }>();
  private readonly agreements = new Map<Label, Agreement>();
  /** The mutations made, as sent: what a failure reports. */
  readonly trace: string[] = [];

  constructor(readonly index: number) {
    this.isrcs = Array.from({ length: WORKS }, (_, k) => `QZPRB26${String(index * 10 + k).padStart(5, '0')}`);
    this.artistNames = Array.from({ length: ARTISTS }, (_, k) => `Voice ${index}.${k}`);
  }

  ownerCount(work: number): number {
    return this.works.get(work)?.owners.length ?? 0;
  }

  /** Applies a command through the API; false when it does not apply to the current state (nothing sent). */
  async apply(command: Command): Promise<boolean> {
    switch (command.kind) {
      case 'register':
        return this.register(command.work, command);
      case 'consent':
        return this.consent(command);
      case 'advance':
        return this.advance(command.label, command.terms);
      case 'suspend':
        return this.change(command.label, 'suspendAgreement', ['ACTIVE']);
      case 'terminate':
        return this.change(command.label, 'terminateAgreement', ['ACTIVE', 'SUSPENDED'], { reason: 'End of the trial' });
    }
  }

  async register(work: number, registration: Registration): Promise<boolean> {
    const before = this.works.get(work);
    // A label acts for an owner as the work was and as it will be; a transfer is internal's.
    const actor = before ? registration.owners.find((label) => before.owners.includes(label)) : registration.owners[0];
    const featured = registration.featured !== undefined && !registration.main.includes(registration.featured) ? [registration.featured] : [];
    const artists = [
      ...registration.main.map((k) => ({ name: this.artistNames[k], role: 'MAIN' })),
      ...featured.map((k) => ({ name: this.artistNames[k], role: 'FEATURED' })),
    ];
    const rightsholders =
      registration.owners.length === 1
        ? [{ label: partnerOf(registration.owners[0]).globalId, shareBps: 10000 }]
        : [
            { label: demo.aurora.globalId, shareBps: 6000 },
            { label: demo.meridian.globalId, shareBps: 4000 },
          ];
    const data = await this.call(actor, REGISTER, { input: [{ isrc: this.isrcs[work], title: registration.title, artists, rightsholders }] }, [
      `registerWorks ${this.isrcs[work]}`,
      `owners ${registration.owners.map(labelName).join('+')}`,
      `MAIN ${registration.main.map((k) => this.artistNames[k]).join(', ')}`,
      ...(featured.length ? [`FEATURED ${this.artistNames[featured[0]]}`] : []),
      `"${registration.title}"`,
    ]);
    for (const credit of data.registerWorks.works[0].artists) {
      this.artistIds.set(this.artistNames.indexOf(credit.artist.name), credit.artist.id);
    }
    this.works.set(work, { owners: registration.owners, main: registration.main });
    return true;
  }

  private async consent({ work, artist, state }: { work?: number; artist?: number; state: ConsentState }): Promise<boolean> {
    let actor: Label | undefined;
    let subject: Record<string, string[]>;
    let named: string;
    if (work !== undefined) {
      const registered = this.works.get(work);
      if (!registered) return false;
      actor = registered.owners[0];
      subject = { works: [this.isrcs[work]] };
      named = `WORK ${this.isrcs[work]}`;
    } else {
      const id = this.artistIds.get(artist!);
      if (!id) return false;
      // A label owning a work on which the artist is MAIN; internal when there is none any more.
      actor = [...this.works.values()].find((w) => w.main.includes(artist!))?.owners[0];
      subject = { artists: [id] };
      named = `ARTIST ${this.artistNames[artist!]}`;
    }
    if (state === 'WITHDRAWN') await this.call(actor, WITHDRAW, { input: { ...DECLARATION, ...subject } }, ['withdrawConsent', named]);
    else await this.call(actor, RECORD, { input: { ...DECLARATION, ...subject, state } }, ['recordConsent', named, state]);
    return true;
  }

  private async advance(label: Label, terms: Terms): Promise<boolean> {
    const agreement = this.agreements.get(label);
    const state = agreement?.state;
    if (!agreement || state === 'TERMINATED' || state === 'DECLINED') {
      const input = this.termsInput(label, terms);
      if (!input) return false;
      const result = await agreementCall(gateway, partnerOf(label).token, 'createAgreement', { licensee: demo.resonance.globalId, terms: input });
      this.record(label, result, `createAgreement as ${labelName(label)} for Resonance: ${describeTerms(input)}`);
      return true;
    }
    if (state === 'DRAFT') return this.change(label, 'proposeAgreement', ['DRAFT']);
    if (state === 'PROPOSED' || (state === 'ACTIVE' && agreement.pending)) return this.change(label, 'acceptAgreement', ['PROPOSED', 'ACTIVE']);
    if (state === 'SUSPENDED') return this.change(label, 'resumeAgreement', ['SUSPENDED']);
    const input = this.termsInput(label, terms);
    if (!input) return false;
    return this.change(label, 'amendAgreement', ['ACTIVE'], { terms: input });
  }

  /** A lifecycle step on the label's agreement: by the licensee to accept, else by the label. */
  private async change(label: Label, mutation: string, from: AgreementState[], extra: Record<string, unknown> = {}): Promise<boolean> {
    const agreement = this.agreements.get(label);
    if (!agreement || !from.includes(agreement.state)) return false;
    const actor = mutation === 'acceptAgreement' ? demo.resonance : partnerOf(label);
    const input = { agreement: agreement.id, expectedVersion: agreement.version, ...extra };
    const result = await agreementCall(gateway, actor.token, mutation, input);
    const terms = extra.terms ? `: ${describeTerms(extra.terms as Record<string, unknown>)}` : '';
    this.record(label, result, `${mutation} as ${actor === demo.resonance ? 'Resonance' : labelName(label)} (${labelName(label)}'s agreement, v${agreement.version})${terms}`);
    return true;
  }

  private termsInput(label: Label, terms: Terms): Record<string, unknown> | undefined {
    let selectedIsrcs: string[] | undefined;
    if (terms.scope !== 'ALL') {
      // Only works of the licensor's catalog may be selected.
      selectedIsrcs = terms.scope.filter((w) => this.works.get(w)?.owners.includes(label)).map((w) => this.isrcs[w]);
      if (selectedIsrcs.length === 0) return undefined;
    }
    return {
      useTypes: [terms.use],
      territories: ['WORLD'],
      excludedTerritories: terms.excludeTerritory ? [TERRITORY] : [],
      startsAt: '2020-01-01T00:00:00Z',
      catalogScope: selectedIsrcs ? 'SELECTED' : 'ALL',
      ...(selectedIsrcs ? { selectedIsrcs } : {}),
      compensation: { model: 'PER_USE', currency: 'EUR', ratePerUnit: '0.01' },
    };
  }

  private async call(actor: Label | undefined, query: string, variables: Record<string, unknown>, description: string[]): Promise<Json> {
    this.trace.push(`${description[0]} as ${actor ? labelName(actor) : 'Operations'}: ${description.slice(1).join(', ')}`);
    return call(actor ? partnerOf(actor).token : demo.operations.token, query, variables);
  }

  private record(label: Label, result: Awaited<ReturnType<typeof agreementCall>>, description: string): void {
    this.trace.push(description);
    if (result.error) throw new Error(`${result.error.code}: ${result.error.message}`);
    const { id, version, state, pendingTerms } = result.agreement;
    this.agreements.set(label, { id, version, state, pending: pendingTerms !== null });
  }

  /** Terminates what is in force or suspended, so the next run starts without agreements. */
  async terminateAgreements(): Promise<void> {
    for (const label of ['A', 'M'] as const) {
      await this.change(label, 'terminateAgreement', ['ACTIVE', 'SUSPENDED'], { reason: 'End of the run' });
    }
  }
}

const labelName = (label: Label) => (label === 'A' ? 'Aurora' : 'Meridian');

function describeTerms(terms: Record<string, unknown>): string {
  const excluded = (terms.excludedTerritories as string[]).length ? ` except ${(terms.excludedTerritories as string[]).join()}` : '';
  const scope = terms.selectedIsrcs ? `SELECTED ${(terms.selectedIsrcs as string[]).join(', ')}` : 'ALL';
  return `${(terms.useTypes as string[]).join()}, WORLD${excluded}, ${scope}, open-ended`;
}

/** A change of decisions a subscriber must be told of: by one of the events written since the last check. */
interface Due {
  follower: Follower;
  /** Internal's view of the events from the mutation to the check (and the marker after it). */
  events: ReceivedChange[];
  /** How many mutations the trace held then. */
  step: number;
  changes: string[];
}

const describeDecision = (d: Decision) => (d.reasons.length ? `${d.decision} (${d.reasons.join(', ')})` : d.decision);

function unannounced(run: Run, change: Due, how: 'live' | 'replayed'): string {
  const trace = run.trace.map((line, i) => `${i + 1 === change.step ? '>' : ' '} ${line}`);
  return (
    `"${change.follower.name}" was not told (${how}) of the change the mutation marked > made:\n  ` +
    change.changes.join('\n  ') +
    `\nmutations:\n${trace.join('\n')}`
  );
}

function follow(variables: { isrcs?: string[]; since?: string }): ChangeSubscriber {
  return subscribeChanges(gateway.url, bearer(demo.resonance.token), variables, CONSENT_CHANGED);
}

beforeAll(async () => {
  ({ db, gateway, demo } = await startDemoGateway({ costBudgetPerMinute: 100_000_000 }));
  everything = subscribeChanges(gateway.url, bearer(demo.operations.token));
  await everything.acknowledged;
  await sleep(200);
  await settle();
});
afterAll(async () => {
  await everything?.dispose();
  await stopDemoGateway({ db, gateway });
});

let runs = 0;
/** Decision changes the subscribers were held to: the property must not hold only because nothing changed. */
let checkedChanges = 0;

it('announces every change of a decision on a followed work, live and replayed from a cursor', async () => {
  await fc.assert(
    fc.asyncProperty(scenarioArbitrary, async ({ catalog, licensors, granting, commands }) => {
      const run = new Run(++runs);
      const followers: Follower[] = [];
      const resumed: ChangeSubscriber[] = [];
      try {
        for (const [work, registration] of catalog.entries()) await run.register(work, registration);
        for (const label of licensors) {
          // Created, proposed, accepted.
          for (let step = 0; step < 3; step += 1) await run.apply({ kind: 'advance', label, terms: ALL_FOR_TRAINING });
        }
        for (const artist of granting) await run.apply({ kind: 'consent', artist, state: 'GRANTED' });
        await settle();
        const since = everything.lastCursor()!;
        run.trace.push('(subscribers open)');
        // From `since`, so that no event falls between the cursor and the moment a subscription is registered.
        followers.push({ name: 'every licensed work', works: undefined, live: follow({ since }) });
        for (const works of FOLLOWED) {
          followers.push({ name: `isrcs ${works.map((w) => run.isrcs[w]).join(',')}`, works, live: follow({ since, isrcs: works.map((w) => run.isrcs[w]) }) });
        }
        await Promise.all(followers.map((f) => f.live.acknowledged));

        let decisions = await decide(run.isrcs);
        let ownerCounts = run.isrcs.map((_, w) => run.ownerCount(w));
        const due: Due[] = [];
        for (const command of commands) {
          const heard = followers.map((f) => f.live.events.length);
          const from = everything.events.length;
          if (!(await run.apply(command))) continue;
          await settle();
          const after = await decide(run.isrcs);
          const afterOwners = run.isrcs.map((_, w) => run.ownerCount(w));
          const changed = run.isrcs
            .map((_, w) => w)
            .filter((w) => !same(decisions[w], after[w]))
            .filter((w) => decisions[w].decision !== after[w].decision || licensed(decisions[w], ownerCounts[w]) || licensed(after[w], afterOwners[w]));
          for (const [i, follower] of followers.entries()) {
            const concerned = changed.filter((w) => !follower.works || follower.works.includes(w));
            if (concerned.length === 0) continue;
            const change: Due = {
              follower,
              events: everything.events.slice(from),
              step: run.trace.length,
              changes: concerned.map((w) => `${run.isrcs[w]}: ${describeDecision(decisions[w])} -> ${describeDecision(after[w])}`),
            };
            due.push(change);
            checkedChanges += 1;
            if (follower.live.events.length === heard[i]) throw new Error(unannounced(run, change, 'live'));
          }
          decisions = after;
          ownerCounts = afterOwners;
        }

        // Resumed from before the commands: each change announced again, by an event among those its mutation wrote.
        const replays = new Map<Follower, ChangeSubscriber>();
        for (const follower of followers) {
          const replay = follow({ since, ...(follower.works ? { isrcs: follower.works.map((w) => run.isrcs[w]) } : {}) });
          resumed.push(replay);
          replays.set(follower, replay);
        }
        await Promise.all(resumed.map((r) => r.acknowledged));
        const covered = (change: Due) => {
          const replayed = new Set(replays.get(change.follower)!.events.map((e) => e.cursor));
          return change.events.some((e) => replayed.has(e.cursor));
        };
        const deadline = Date.now() + 2_000;
        while (!due.every(covered) && Date.now() < deadline) await sleep(10);
        for (const replay of resumed) if (replay.errors.length > 0) throw new Error(`replay failed: ${JSON.stringify(replay.errors)}`);
        const missed = due.find((change) => !covered(change));
        if (missed) throw new Error(unannounced(run, missed, 'replayed'));
      } finally {
        await Promise.all([...followers.map((f) => f.live.dispose()), ...resumed.map((r) => r.dispose())]);
        await run.terminateAgreements();
      }
    }),
    { seed: SEED, numRuns: RUNS, examples: REGRESSIONS.map((scenario) => [scenario]) },
  );
  expect(checkedChanges).toBeGreaterThan(RUNS);
}, 300_000);
