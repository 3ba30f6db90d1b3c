import type { PayloadRule } from '../events/change-payloads';
import { ChangeType } from '../events/change-type';
import { PartnerType } from '../partners/partner.entity';

/**
 * Owners, their distributors and internal read consent history, so they get the record's terms. An AI
 * partner hears about consent on works it licenses but reads decisions, never records: it learns which
 * work or artist changed and the new state, and asks consentDecisions again.
 */
const consentChange: PayloadRule = (payload, viewer) => {
  if (viewer.type !== PartnerType.AI_PARTNER) return payload;
  const { scope, isrc, artist, state } = payload;
  return scope === 'WORK' ? { scope, isrc, state } : { scope, artist, state };
};

export const consentPayloadRules = {
  [ChangeType.CONSENT_RECORDED]: consentChange,
  [ChangeType.CONSENT_WITHDRAWN]: consentChange,
} satisfies Partial<Record<ChangeType, PayloadRule>>;
