import { AgreementState } from './agreement.entity';

/**
 * The lifecycle as data (DESIGN.md, Agreements): which side may take each action, from which states.
 * DRAFT → PROPOSED → ACTIVE ↔ SUSPENDED → TERMINATED, PROPOSED → DECLINED, ACTIVE → EXPIRED by time.
 * An amendment is a pending version of an ACTIVE agreement that the licensee accepts or declines.
 */
export const AgreementAction = {
  UPDATE_DRAFT: 'UPDATE_DRAFT',
  PROPOSE: 'PROPOSE',
  ACCEPT: 'ACCEPT',
  DECLINE: 'DECLINE',
  SUSPEND: 'SUSPEND',
  RESUME: 'RESUME',
  TERMINATE: 'TERMINATE',
  AMEND: 'AMEND',
} as const;
export type AgreementAction = (typeof AgreementAction)[keyof typeof AgreementAction];

export type Side = 'LICENSOR' | 'LICENSEE';

interface Rule {
  side: Side;
  /** States the action applies to; `amendmentPending` further restricts ACTIVE. */
  from: readonly AgreementState[];
  amendmentPending?: boolean;
}

const { DRAFT, PROPOSED, ACTIVE, SUSPENDED } = AgreementState;

export const LIFECYCLE: Record<AgreementAction, Rule> = {
  UPDATE_DRAFT: { side: 'LICENSOR', from: [DRAFT] },
  PROPOSE: { side: 'LICENSOR', from: [DRAFT] },
  ACCEPT: { side: 'LICENSEE', from: [PROPOSED, ACTIVE] },
  DECLINE: { side: 'LICENSEE', from: [PROPOSED, ACTIVE] },
  SUSPEND: { side: 'LICENSOR', from: [ACTIVE] },
  RESUME: { side: 'LICENSOR', from: [SUSPENDED] },
  TERMINATE: { side: 'LICENSOR', from: [ACTIVE, SUSPENDED] },
  AMEND: { side: 'LICENSOR', from: [ACTIVE], amendmentPending: false },
};

/** Whether `action` is legal from `state`; ACCEPT and DECLINE on an ACTIVE agreement act on its pending amendment. */
export function isLegal(action: AgreementAction, state: AgreementState, amendmentPending: boolean): boolean {
  const rule = LIFECYCLE[action];
  if (!rule.from.includes(state)) return false;
  if (state !== ACTIVE) return true;
  if (action === 'ACCEPT' || action === 'DECLINE') return amendmentPending;
  if (rule.amendmentPending === false) return !amendmentPending;
  return true;
}
