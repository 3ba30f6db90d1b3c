import { isInternal } from '../auth/viewer';
import { idOf } from '../common/relay/global-id';
import type { PayloadRule } from '../events/change-payloads';
import { ChangeType } from '../events/change-type';

/**
 * A status change: the partner itself may read its status (Partner.status), internal also the reason
 * (no query shows it to anyone else). A distributor hears a label's suspension through its mandate, but
 * may not read the label's status: it learns only that the partner changed.
 */
const statusChange: PayloadRule = (payload, viewer, record) => {
  if (isInternal(viewer)) return payload;
  return viewer.partnerId === idOf('Partner', record.entityId) ? { status: payload.status } : {};
};

/** Mandate terms are readable by its parties (the two partners the event names) and internal only. */
const mandateChange: PayloadRule = (payload, viewer, record) =>
  isInternal(viewer) || record.partnerIds.includes(viewer.partnerId) ? payload : {};

export const partnerPayloadRules = {
  [ChangeType.PARTNER_SUSPENDED]: statusChange,
  [ChangeType.PARTNER_REINSTATED]: statusChange,
  [ChangeType.MANDATE_GRANTED]: mandateChange,
  [ChangeType.MANDATE_REVOKED]: mandateChange,
} satisfies Partial<Record<ChangeType, PayloadRule>>;
