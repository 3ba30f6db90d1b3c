import { toGlobalId } from '../common/relay/global-id';
import type { RightShareRow, WorkArtistRow, WorkRow } from './works.service';
import { Artist, RightShare, Work, WorkArtist } from './works.types';

export function toWork(row: WorkRow): Work {
  return Object.assign(new Work(), {
    id: toGlobalId('Work', row.id),
    workId: row.id,
    isrc: row.isrc,
    title: row.title,
    iswc: row.iswc,
    releaseDate: row.release_date,
    updatedAt: row.updated_at,
    ownerLabelIds: row.owner_label_ids,
  });
}

export function toArtist(row: { id: string; name: string; isni: string | null }): Artist {
  return Object.assign(new Artist(), { id: toGlobalId('Artist', row.id), artistId: row.id, name: row.name, isni: row.isni });
}

export function toWorkArtist(row: WorkArtistRow): WorkArtist {
  return Object.assign(new WorkArtist(), {
    artistId: row.artist_id,
    artist: toArtist({ id: row.artist_id, name: row.name, isni: row.isni }),
    role: row.role,
  });
}

export function toRightShares(rows: RightShareRow[]): RightShare[] {
  const ownerLabelIds = rows.map((row) => row.label_id);
  return rows.map((row) =>
    Object.assign(new RightShare(), { labelId: row.label_id, ownerLabelIds, shareBps: row.share_bps }),
  );
}
