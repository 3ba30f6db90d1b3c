import { agreementPayloadRules } from '../agreements/agreements.events';
import type { Viewer } from '../auth/viewer';
import { compensationPayloadRules } from '../compensation/compensation.events';
import { consentPayloadRules } from '../consent/consent.events';
import { partnerPayloadRules } from '../partners/partners.events';
import { workPayloadRules } from '../works/works.events';
import type { ChangeRecord } from './change-record';
import type { ChangeType } from './change-type';

/**
 * What of an event's payload a subscriber is shown: never more than it could read through queries.
 * Each module declares the rule for the event types it writes, beside its other rules; the map below
 * must have one for every ChangeType, so a new type without a rule does not compile.
 */
export type PayloadRule = (
  payload: Record<string, unknown>,
  viewer: Viewer,
  record: Pick<ChangeRecord, 'entityId' | 'partnerIds'>,
) => Record<string, unknown>;

const PAYLOAD_RULES: Record<ChangeType, PayloadRule> = {
  ...partnerPayloadRules,
  ...workPayloadRules,
  ...agreementPayloadRules,
  ...consentPayloadRules,
  ...compensationPayloadRules,
};

export function visiblePayload(record: ChangeRecord, viewer: Viewer): Record<string, unknown> {
  return PAYLOAD_RULES[record.type](record.payload, viewer, record);
}
