import { actsForAny, isInternal } from '../auth/viewer';
import type { PayloadRule } from '../events/change-payloads';
import { ChangeType } from '../events/change-type';
import { MandatePermission } from '../partners/mandate.entity';

/**
 * The reporter, the licensor side and internal read the report (`usageReport`); a co-owner paid through
 * it reads only its statement, so it learns the period to look at. `aiPartnerId` and `licensorId` are
 * for this decision and are not shown.
 */
const usageChange: PayloadRule = (payload, viewer) => {
  const { aiPartnerId, licensorId, ...visible } = payload as { aiPartnerId: string; licensorId: string } & Record<string, unknown>;
  const readsReport = isInternal(viewer) || viewer.partnerId === aiPartnerId || actsForAny(viewer, MandatePermission.READ_CATALOG, [licensorId]);
  return readsReport ? visible : { statementPeriod: visible.statementPeriod };
};

export const compensationPayloadRules = {
  [ChangeType.USAGE_REPORTED]: usageChange,
  [ChangeType.USAGE_VIOLATION]: usageChange,
  [ChangeType.USAGE_REPORT_REVERSED]: usageChange,
} satisfies Partial<Record<ChangeType, PayloadRule>>;
