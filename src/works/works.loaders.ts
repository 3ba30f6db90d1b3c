import DataLoader from 'dataloader';
import type { Viewer } from '../auth/viewer';
import { toRightShares, toWork, toWorkArtist } from './works.mapper';
import type { WorksService } from './works.service';
import type { RightShare, Work, WorkArtist } from './works.types';

function grouped<Row extends { work_id: string }, Out>(
  ids: readonly string[],
  rows: Row[],
  map: (rows: Row[]) => Out[],
): Out[][] {
  const byWork = new Map<string, Row[]>(ids.map((id) => [id, []]));
  for (const row of rows) byWork.get(row.work_id)?.push(row);
  return ids.map((id) => map(byWork.get(id)!));
}

/** Per-request loaders: one statement per kind of data per request, whatever the page size. */
export function createWorkLoaders(viewer: Viewer, works: WorksService) {
  return {
    workById: new DataLoader<string, Work | undefined>(async (ids) =>
      (await works.findByIds(viewer, ids)).map((row) => row && toWork(row)),
    ),
    artistsByWork: new DataLoader<string, WorkArtist[]>(async (ids) =>
      grouped(ids, await works.artistsOfWorks(ids), (rows) => rows.map(toWorkArtist)),
    ),
    sharesByWork: new DataLoader<string, RightShare[]>(async (ids) =>
      grouped(ids, await works.sharesOfWorks(ids), toRightShares),
    ),
    artistById: new DataLoader(async (ids: readonly string[]) => works.findArtists(ids)),
  };
}
export type WorkLoaders = ReturnType<typeof createWorkLoaders>;
