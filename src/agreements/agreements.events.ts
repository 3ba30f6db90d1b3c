import type { PayloadRule } from '../events/change-payloads';
import { ChangeType } from '../events/change-type';

/**
 * State, version and terms version: what `agreement(id:)` shows anyone who hears the event (a party, a
 * distributor for the licensor, internal). The terms themselves are not in the event: read them.
 */
const agreementChange: PayloadRule = (payload) => payload;

export const agreementPayloadRules = {
  [ChangeType.AGREEMENT_CREATED]: agreementChange,
  [ChangeType.AGREEMENT_DRAFT_UPDATED]: agreementChange,
  [ChangeType.AGREEMENT_PROPOSED]: agreementChange,
  [ChangeType.AGREEMENT_ACCEPTED]: agreementChange,
  [ChangeType.AGREEMENT_DECLINED]: agreementChange,
  [ChangeType.AGREEMENT_SUSPENDED]: agreementChange,
  [ChangeType.AGREEMENT_RESUMED]: agreementChange,
  [ChangeType.AGREEMENT_TERMINATED]: agreementChange,
  [ChangeType.AGREEMENT_AMENDED]: agreementChange,
  [ChangeType.AGREEMENT_AMENDMENT_ACCEPTED]: agreementChange,
  [ChangeType.AGREEMENT_AMENDMENT_DECLINED]: agreementChange,
} satisfies Partial<Record<ChangeType, PayloadRule>>;
