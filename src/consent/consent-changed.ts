import type { DataSource } from 'typeorm';
import { toGlobalId } from '../common/relay/global-id';
import type { ChangeRecord } from '../events/change-record';
import { ChangeType } from '../events/change-type';

/** The change types that can turn a decision: consent on a work or artist, and the agreements over it. */
export const DECISION_CHANGE_TYPES: readonly ChangeType[] = [
  ChangeType.CONSENT_RECORDED,
  ChangeType.CONSENT_WITHDRAWN,
  ...(Object.values(ChangeType).filter((type) => type.startsWith('AGREEMENT_')) as ChangeType[]),
];

/**
 * Which of those events concern the followed works: consent on one of them or on one of their MAIN
 * artists, and agreements whose licensor owns a share of one of them. Who may hear an event at all is
 * decided before, by the audience rule (an AI partner hears consent changes on the works it licenses
 * and changes to its own agreements).
 */
export async function followedWorks(dataSource: DataSource, isrcs: readonly string[]): Promise<(record: ChangeRecord) => boolean> {
  const rows = (await dataSource.query(
    `SELECT array_agg(DISTINCT wa.artist_id) FILTER (WHERE wa.role = 'MAIN') AS artists,
            array_agg(DISTINCT rs.label_id) AS owners
     FROM work w
     LEFT JOIN work_artist wa ON wa.work_id = w.id
     LEFT JOIN right_share rs ON rs.work_id = w.id
     WHERE w.isrc = ANY($1::text[])`,
    [isrcs],
  )) as { artists: string[] | null; owners: string[] | null }[];
  const works = new Set(isrcs);
  const artists = new Set((rows[0]?.artists ?? []).map((id) => toGlobalId('Artist', id)));
  const owners = new Set(rows[0]?.owners ?? []);
  return (record) => {
    if (record.type === ChangeType.CONSENT_RECORDED || record.type === ChangeType.CONSENT_WITHDRAWN) {
      const { isrc, artist } = record.payload as { isrc?: string; artist?: string };
      return (isrc !== undefined && works.has(isrc)) || (artist !== undefined && artists.has(artist));
    }
    return record.partnerIds.some((id) => owners.has(id));
  };
}
