import DataLoader from 'dataloader';
import type { Viewer } from '../auth/viewer';
import { groupsFor } from '../common/group-by';
import type { UsageReportRow, UsageService, ViolationRow } from './usage.service';

export function createCompensationLoaders(viewer: Viewer, usage: UsageService) {
  return {
    reportById: new DataLoader<string, UsageReportRow | undefined>((ids) => usage.findByIds(viewer, ids)),
    violationsOfReport: new DataLoader<string, ViolationRow[]>(async (ids) =>
      groupsFor(ids, await usage.violationsOf(ids), (row) => row.report_id),
    ),
  };
}
export type CompensationLoaders = ReturnType<typeof createCompensationLoaders>;
