import type { TestDatabase } from '../support/database';
import { startDemoGateway, stopDemoGateway } from '../support/demo-gateway';
import { agreementCall, readOnlyDistributorFor, termsInput } from '../support/agreements';
import { countRows, type Demo, type DemoPartner } from '../support/demo';
import type { TestGateway } from '../support/gateway';

/**
 * The whole transition table, through HTTP: every state × every action × every partner role. The
 * expected outcomes are written out here from DESIGN.md, independently of the code's lifecycle table.
 */
let db: TestDatabase;
let gateway: TestGateway;
let demo: Demo;
let readOnlyDistributor: DemoPartner;

type State = 'DRAFT' | 'PROPOSED' | 'ACTIVE' | 'ACTIVE_AMENDING' | 'SUSPENDED' | 'TERMINATED' | 'DECLINED' | 'EXPIRED';
type Action = 'updateAgreementDraft' | 'proposeAgreement' | 'acceptAgreement' | 'declineAgreement' | 'suspendAgreement' | 'resumeAgreement' | 'terminateAgreement' | 'amendAgreement';
type Role = 'licensor' | 'negotiating distributor' | 'distributor without NEGOTIATE' | 'licensee' | 'other AI partner' | 'other label' | 'internal';

const STATES: State[] = ['DRAFT', 'PROPOSED', 'ACTIVE', 'ACTIVE_AMENDING', 'SUSPENDED', 'TERMINATED', 'DECLINED', 'EXPIRED'];
const ROLES: Role[] = ['licensor', 'negotiating distributor', 'distributor without NEGOTIATE', 'licensee', 'other AI partner', 'other label', 'internal'];

/** The partner types that may ever call an action (refused before the agreement is looked at). */
const LICENSOR_SIDE = ['LABEL', 'DISTRIBUTOR'];
const TYPE_OF: Record<Role, string> = {
  licensor: 'LABEL',
  'negotiating distributor': 'DISTRIBUTOR',
  'distributor without NEGOTIATE': 'DISTRIBUTOR',
  licensee: 'AI_PARTNER',
  'other AI partner': 'AI_PARTNER',
  'other label': 'LABEL',
  internal: 'INTERNAL',
};
function typeMayCall(action: Action, role: Role): boolean {
  const types = action === 'acceptAgreement' || action === 'declineAgreement' ? ['AI_PARTNER'] : LICENSOR_SIDE;
  return types.includes(TYPE_OF[role]);
}

/** Who may read an agreement (DESIGN.md, Authorization): a mutation on one you may not read is NOT_FOUND. */
function mayRead(role: Role, state: State): boolean {
  if (role === 'other AI partner' || role === 'other label') return false;
  return role !== 'licensee' || state !== 'DRAFT';
}

/** For each action: who may take it, and from which state to which. */
const TABLE: Record<Action, { by: Role[]; moves: Partial<Record<State, State>> }> = {
  updateAgreementDraft: { by: ['licensor', 'negotiating distributor'], moves: { DRAFT: 'DRAFT' } },
  proposeAgreement: { by: ['licensor', 'negotiating distributor'], moves: { DRAFT: 'PROPOSED' } },
  acceptAgreement: { by: ['licensee'], moves: { PROPOSED: 'ACTIVE', ACTIVE_AMENDING: 'ACTIVE' } },
  declineAgreement: { by: ['licensee'], moves: { PROPOSED: 'DECLINED', ACTIVE_AMENDING: 'ACTIVE' } },
  suspendAgreement: { by: ['licensor', 'negotiating distributor'], moves: { ACTIVE: 'SUSPENDED', ACTIVE_AMENDING: 'SUSPENDED' } },
  resumeAgreement: { by: ['licensor', 'negotiating distributor'], moves: { SUSPENDED: 'ACTIVE' } },
  terminateAgreement: {
    by: ['licensor', 'negotiating distributor'],
    moves: { ACTIVE: 'TERMINATED', ACTIVE_AMENDING: 'TERMINATED', SUSPENDED: 'TERMINATED' },
  },
  amendAgreement: { by: ['licensor', 'negotiating distributor'], moves: { ACTIVE: 'ACTIVE' } },
};

function tokenOf(role: Role): string {
  const byRole: Record<Role, DemoPartner> = {
    licensor: demo.aurora,
    'negotiating distributor': demo.tidewater,
    'distributor without NEGOTIATE': readOnlyDistributor,
    licensee: demo.resonance,
    'other AI partner': demo.cadence,
    'other label': demo.meridian,
    internal: demo.operations,
  };
  return byRole[role].token;
}

/** An agreement brought into `state` through the API, with its version. */
async function agreementIn(state: State): Promise<{ id: string; version: number }> {
  const created = await agreementCall(gateway, demo.aurora.token, 'createAgreement', {
    licensee: demo.resonance.globalId,
    terms: termsInput(),
  });
  let { id, version } = created.agreement;
  const step = async (token: string, mutation: string, extra: Record<string, unknown> = {}) => {
    const result = await agreementCall(gateway, token, mutation, { agreement: id, expectedVersion: version, ...extra });
    if (!result.agreement) throw new Error(`setup ${mutation}: ${result.error?.message}`);
    version = result.agreement.version;
  };
  if (state === 'DRAFT') return { id, version };
  await step(demo.aurora.token, 'proposeAgreement');
  if (state === 'PROPOSED') return { id, version };
  if (state === 'DECLINED') {
    await step(demo.resonance.token, 'declineAgreement');
    return { id, version };
  }
  await step(demo.resonance.token, 'acceptAgreement');
  if (state === 'ACTIVE_AMENDING') await step(demo.aurora.token, 'amendAgreement', { terms: termsInput({ useTypes: ['TRAINING'] }) });
  if (state === 'SUSPENDED') await step(demo.aurora.token, 'suspendAgreement');
  if (state === 'TERMINATED') await step(demo.aurora.token, 'terminateAgreement', { reason: 'setup' });
  if (state === 'EXPIRED') {
    const uuid = Buffer.from(id, 'base64url').toString().split(':')[1];
    await db.dataSource.query(
      `UPDATE agreement_terms SET starts_at = now() - interval '2 days', ends_at = now() - interval '1 day' WHERE agreement_id = $1`,
      [uuid],
    );
  }
  return { id, version };
}

function argumentsFor(action: Action): Record<string, unknown> {
  if (action === 'updateAgreementDraft' || action === 'amendAgreement') return { terms: termsInput({ territories: ['FR', 'DE'], excludedTerritories: [] }) };
  if (action === 'terminateAgreement') return { reason: 'breach of terms' };
  return {};
}

beforeAll(async () => {
  ({ db, gateway, demo } = await startDemoGateway());
  readOnlyDistributor = await readOnlyDistributorFor(db.dataSource, demo.aurora.id);
});
afterAll(() => stopDemoGateway({ db, gateway }));

const cases = STATES.flatMap((state) =>
  (Object.keys(TABLE) as Action[]).flatMap((action) => ROLES.map((role) => [state, action, role] as const)),
);

describe('agreement lifecycle: every state × action × role', () => {
  it.each(cases)('%s, %s by %s', async (state, action, role) => {
    const { id, version } = await agreementIn(state);
    const history = await countRows(db.dataSource, 'agreement_history');
    const result = await agreementCall(gateway, tokenOf(role), action, { agreement: id, expectedVersion: version, ...argumentsFor(action) });
    const rule = TABLE[action];
    const target = rule.moves[state];
    if (!typeMayCall(action, role)) {
      expect(result.error?.code).toBe('FORBIDDEN');
    } else if (!mayRead(role, state)) {
      expect(result.error?.code).toBe('NOT_FOUND');
    } else if (!rule.by.includes(role)) {
      expect(result.error?.code).toBe('FORBIDDEN');
    } else if (target === undefined) {
      expect(result.error?.code).toBe('INVALID_TRANSITION');
    } else {
      expect(result.error).toBeUndefined();
      expect(result.agreement.state).toBe(target);
      expect(result.agreement.version).toBe(version + 1);
      expect(await countRows(db.dataSource, 'agreement_history')).toBe(history + 1);
      return;
    }
    const { body } = await gateway.request(demo.operations.token, `query($id: ID!) { agreement(id: $id) { state version } }`, { id });
    expect(body.data.agreement).toEqual({ state: state === 'ACTIVE_AMENDING' ? 'ACTIVE' : state, version });
    expect(await countRows(db.dataSource, 'agreement_history')).toBe(history);
  });
});
