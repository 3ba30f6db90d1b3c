import { formatMinorUnits } from '../common/money';
import { toGlobalId } from '../common/relay/global-id';
import type { UseType } from '../common/use-type';
import type { AgreementState, AgreementTermsEntity, StoredCompensation } from './agreement.entity';
import { partiesOf, type AgreementRow, type HistoryRow } from './agreements.service';
import { Agreement, AgreementHistoryEntry, AgreementTerms, Compensation, TermsStatus, type Money } from './agreements.types';

export function toAgreement(row: AgreementRow): Agreement {
  return Object.assign(new Agreement(), {
    id: toGlobalId('Agreement', row.id),
    agreementId: row.id,
    parties: partiesOf(row),
    termsInForce: row.terms_in_force,
    pendingTerms: row.pending_terms,
    state: row.state,
    version: row.version,
    terminationReason: row.termination_reason,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });
}

function money(minor: string, currency: string): Money {
  return { amount: formatMinorUnits(minor, currency), minorUnits: minor, currency };
}

export function toCompensation(stored: StoredCompensation): Compensation {
  const { currency } = stored;
  return Object.assign(new Compensation(), {
    model: stored.model,
    currency,
    fee: stored.amountMinor ? money(stored.amountMinor, currency) : null,
    period: stored.period ?? null,
    ratePerUnit: stored.ratePerUnit ?? null,
    bps: stored.bps ?? null,
    minimumGuarantee: stored.minimumGuarantee
      ? { amount: money(stored.minimumGuarantee.amountMinor, currency), period: stored.minimumGuarantee.period }
      : null,
  });
}

function statusOf(terms: AgreementTermsEntity, agreement: Agreement): TermsStatus {
  if (terms.termsVersion === agreement.termsInForce) return TermsStatus.IN_FORCE;
  if (terms.declinedAt) return TermsStatus.DECLINED;
  if (terms.termsVersion === agreement.pendingTerms) return terms.proposedAt ? TermsStatus.PROPOSED : TermsStatus.DRAFT;
  // An older version: either it was in force once, or a draft edited into a later version.
  return terms.acceptedAt ? TermsStatus.SUPERSEDED : TermsStatus.DRAFT;
}

export function toTerms(terms: AgreementTermsEntity, agreement: Agreement): AgreementTerms {
  return Object.assign(new AgreementTerms(), {
    agreementId: terms.agreementId,
    parties: agreement.parties,
    draftedById: terms.draftedBy,
    proposedById: terms.proposedBy,
    acceptedById: terms.acceptedBy,
    version: terms.termsVersion,
    status: statusOf(terms, agreement),
    useTypes: terms.useTypes as UseType[],
    territories: terms.territories,
    excludedTerritories: terms.excludedTerritories,
    startsAt: terms.startsAt,
    endsAt: terms.endsAt,
    catalogScope: terms.catalogScope,
    compensation: toCompensation(terms.compensation),
    draftedAt: terms.draftedAt,
    proposedAt: terms.proposedAt,
    acceptedAt: terms.acceptedAt,
  });
}

export function toHistoryEntry(row: HistoryRow): AgreementHistoryEntry {
  return Object.assign(new AgreementHistoryEntry(), {
    actorId: row.actor_id,
    actingForId: row.acting_for_id,
    version: row.version,
    termsVersion: row.terms_version,
    transition: row.transition,
    fromState: row.from_state as AgreementState | null,
    toState: row.to_state,
    reason: row.reason,
    occurredAt: row.occurred_at,
  });
}
