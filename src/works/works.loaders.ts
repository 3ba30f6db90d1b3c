import DataLoader from 'dataloader';
import type { Viewer } from '../auth/viewer';
import { groupsFor } from '../common/group-by';
import { toRightShares, toWork, toWorkArtist } from './works.mapper';
import type { WorksService } from './works.service';
import type { RightShare, Work, WorkArtist } from './works.types';

/** Per-request loaders: one statement per kind of data per request, whatever the page size. */
export function createWorkLoaders(viewer: Viewer, works: WorksService) {
  return {
    workById: new DataLoader<string, Work | undefined>(async (ids) =>
      (await works.findByIds(viewer, ids)).map((row) => row && toWork(row)),
    ),
    artistsByWork: new DataLoader<string, WorkArtist[]>(async (ids) =>
      groupsFor(ids, await works.artistsOfWorks(ids), (row) => row.work_id).map((rows) => rows.map(toWorkArtist)),
    ),
    sharesByWork: new DataLoader<string, RightShare[]>(async (ids) =>
      groupsFor(ids, await works.sharesOfWorks(ids), (row) => row.work_id).map(toRightShares),
    ),
    artistById: new DataLoader(async (ids: readonly string[]) => works.findArtists(ids)),
  };
}
export type WorkLoaders = ReturnType<typeof createWorkLoaders>;
