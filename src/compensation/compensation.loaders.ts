import DataLoader from 'dataloader';
import type { Viewer } from '../auth/viewer';
import type { UsageReportRow, UsageService, ViolationRow } from './usage.service';

export function createCompensationLoaders(viewer: Viewer, usage: UsageService) {
  return {
    reportById: new DataLoader<string, UsageReportRow | undefined>((ids) => usage.findByIds(viewer, ids)),
    violationsOfReport: new DataLoader<string, ViolationRow[]>(async (ids) => {
      const rows = await usage.violationsOf(ids);
      return ids.map((id) => rows.filter((row) => row.report_id === id));
    }),
  };
}
export type CompensationLoaders = ReturnType<typeof createCompensationLoaders>;
