/** Every kind of change the outbox records; subscribers filter on these. */
export const ChangeType = {
  PARTNER_SUSPENDED: 'PARTNER_SUSPENDED',
  PARTNER_REINSTATED: 'PARTNER_REINSTATED',
  MANDATE_GRANTED: 'MANDATE_GRANTED',
  MANDATE_REVOKED: 'MANDATE_REVOKED',
  WORK_REGISTERED: 'WORK_REGISTERED',
  WORK_UPDATED: 'WORK_UPDATED',
  CONSENT_RECORDED: 'CONSENT_RECORDED',
  CONSENT_WITHDRAWN: 'CONSENT_WITHDRAWN',
} as const;
export type ChangeType = (typeof ChangeType)[keyof typeof ChangeType];
