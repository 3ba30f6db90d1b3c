import type { DataSource } from 'typeorm';
import { toGlobalId } from '../common/relay/global-id';
import type { ChangeFollower } from '../events/change-follower';
import type { ChangeRecord } from '../events/change-record';
import { ChangeType } from '../events/change-type';

/**
 * The change types that can turn a decision: consent on a work or artist, the agreements over it, and a
 * work registered or given other owners or MAIN artists.
 */
export const DECISION_CHANGE_TYPES: readonly ChangeType[] = [
  ChangeType.CONSENT_RECORDED,
  ChangeType.CONSENT_WITHDRAWN,
  ChangeType.WORK_REGISTERED,
  ChangeType.WORK_UPDATED,
  ...(Object.values(ChangeType).filter((type) => type.startsWith('AGREEMENT_')) as ChangeType[]),
];

const WORK_CHANGE_TYPES: ReadonlySet<ChangeType> = new Set([ChangeType.WORK_REGISTERED, ChangeType.WORK_UPDATED]);

const isWorkChange = (record: ChangeRecord) => WORK_CHANGE_TYPES.has(record.type);

/** Events written before work events said so count as turning decisions: one too many rather than one missed. */
const turnsDecisions = (record: ChangeRecord) => record.payload.turnsDecisions !== false;

/**
 * Which of those events concern the followed works (every work the subscriber hears of when `isrcs` is
 * left out): consent on one of them or on one of their MAIN artists, agreements whose licensor owns a
 * share of one of them, and changes to their owners or MAIN artists. Who may hear an event at all is
 * decided before, by the audience rule (an AI partner hears of consent and work changes on the works it
 * licenses and of changes to its own agreements).
 *
 * The owners and artists followed are read once the subscription is registered and grow with every
 * change to a followed work, heard or only witnessed (a work an AI partner does not license yet can get
 * a new artist or owner it will depend on later). A former one stays followed: one event too many
 * rather than one missed.
 */
export function followedWorks(dataSource: DataSource, isrcs: readonly string[] | undefined): ChangeFollower {
  if (!isrcs) {
    return { load: async () => undefined, matches: (record) => !isWorkChange(record) || turnsDecisions(record), witnesses: null };
  }
  const works = new Set(isrcs);
  const artists = new Set<string>();
  const owners = new Set<string>();
  return {
    witnesses: { types: WORK_CHANGE_TYPES, isrcs: works },
    async load() {
      const rows = (await dataSource.query(
        `SELECT array_agg(DISTINCT wa.artist_id) FILTER (WHERE wa.role = 'MAIN') AS artists,
                array_agg(DISTINCT rs.label_id) AS owners
         FROM work w
         LEFT JOIN work_artist wa ON wa.work_id = w.id
         LEFT JOIN right_share rs ON rs.work_id = w.id
         WHERE w.isrc = ANY($1::text[])`,
        [isrcs],
      )) as { artists: string[] | null; owners: string[] | null }[];
      for (const id of rows[0]?.artists ?? []) artists.add(toGlobalId('Artist', id));
      for (const id of rows[0]?.owners ?? []) owners.add(id);
    },
    matches(record) {
      if (isWorkChange(record)) {
        const { isrc, ownerLabelIds, mainArtistIds } = record.payload as {
          isrc: string;
          ownerLabelIds?: string[];
          mainArtistIds?: string[];
        };
        if (!works.has(isrc)) return false;
        for (const id of ownerLabelIds ?? []) owners.add(id);
        for (const id of mainArtistIds ?? []) artists.add(toGlobalId('Artist', id));
        return turnsDecisions(record);
      }
      if (record.type === ChangeType.CONSENT_RECORDED || record.type === ChangeType.CONSENT_WITHDRAWN) {
        const { isrc, artist } = record.payload as { isrc?: string; artist?: string };
        return (isrc !== undefined && works.has(isrc)) || (artist !== undefined && artists.has(artist));
      }
      return record.partnerIds.some((id) => owners.has(id));
    },
  };
}
