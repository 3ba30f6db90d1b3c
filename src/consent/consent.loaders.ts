import DataLoader from 'dataloader';
import type { Viewer } from '../auth/viewer';
import type { Page } from '../common/relay/connection';
import type { ConsentRecordRow, ConsentService } from './consent.service';

/**
 * Per-request loaders. `Work.consentHistory` on a page of works costs one statement per distinct page
 * argument (first/after), not one per work.
 */
export function createConsentLoaders(viewer: Viewer, consent: ConsentService) {
  const historyLoaders = new Map<string, DataLoader<string, ConsentRecordRow[]>>();
  return {
    historyOfWork(page: Page): DataLoader<string, ConsentRecordRow[]> {
      const key = `${page.limit}:${page.after ?? ''}`;
      let loader = historyLoaders.get(key);
      if (!loader) {
        loader = new DataLoader(async (workIds: readonly string[]) => {
          const byWork = await consent.historyOfWorks(viewer, workIds, page);
          return workIds.map((id) => byWork.get(id)!);
        });
        historyLoaders.set(key, loader);
      }
      return loader;
    },
  };
}
export type ConsentLoaders = ReturnType<typeof createConsentLoaders>;
