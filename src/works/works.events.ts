import { actsForAny } from '../auth/viewer';
import type { PayloadRule } from '../events/change-payloads';
import { ChangeType } from '../events/change-type';
import { MandatePermission } from '../partners/mandate.entity';
import { PartnerType } from '../partners/partner.entity';

/**
 * ISRC and title, as `work(isrc:)` shows them: to everyone but a distributor, which reads only the works
 * of labels it holds READ_CATALOG for. It may hear an event through a label that owned the work before
 * the change; then it learns only that the work changed. The rest of the payload is never shown:
 * `ownerLabelIds` (the owners after the change) is for this decision, and the MAIN artists before and
 * after, and `turnsDecisions`, for consentChanged's filter (consent/consent-changed.ts).
 */
const workSummary: PayloadRule = (payload, viewer) => {
  const owners = Array.isArray(payload.ownerLabelIds) ? (payload.ownerLabelIds as string[]) : [];
  if (viewer.type === PartnerType.DISTRIBUTOR && !actsForAny(viewer, MandatePermission.READ_CATALOG, owners)) return {};
  return { isrc: payload.isrc, title: payload.title };
};

export const workPayloadRules = {
  [ChangeType.WORK_REGISTERED]: workSummary,
  [ChangeType.WORK_UPDATED]: workSummary,
} satisfies Partial<Record<ChangeType, PayloadRule>>;
