import type { DataSource } from 'typeorm';
import { toGlobalId } from '../common/relay/global-id';
import type { ChangeFollower } from '../events/change-follower';
import type { ChangeRecord } from '../events/change-record';
import { CursorExpiredError } from '../events/changes.errors';
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

interface WorkChangePayload {
  isrc: string;
  mainArtistIds?: string[];
  previousMainArtistIds?: string[];
}

/**
 * Which of those events concern the followed works (every work the subscriber hears of when `isrcs` is
 * left out): consent on one of them or on one of their MAIN artists, changes to their owners or MAIN
 * artists, and every agreement event the subscriber hears. Who may hear an event at all is decided
 * before, by the audience rule: an AI partner hears of consent and work changes on the works it
 * licenses, and of its own agreements, few enough to send every one (telling which ones concern the
 * works would depend on owners that a concurrent transfer may be changing).
 *
 * The MAIN artists followed are all those the works have had since the stream's start: as they are now
 * and as each later work change says they were before and after it, so a replay keeps the consent on an
 * artist a work has lost since. Every work change on a followed work adds to them, heard or only
 * witnessed (a work an AI partner does not license yet can get an artist it will depend on later). A
 * former artist stays followed: one event too many rather than one missed. (Work events written before
 * they named artists, at most a retention period ago, add none.) A consent record on an artist and a
 * registration crediting it queue, the waiting one drawing the later transaction id
 * (works/registration-locks.ts), so the credit is learnt before the consent is judged.
 */
export function followedWorks(dataSource: DataSource, isrcs: readonly string[] | undefined): ChangeFollower {
  if (!isrcs) {
    return { load: async () => undefined, matches: (record) => !isWorkChange(record) || turnsDecisions(record), witnesses: null };
  }
  const works = new Set(isrcs);
  const artists = new Set<string>();
  const follow = (artistIds: readonly string[] = []) => {
    for (const id of artistIds) artists.add(toGlobalId('Artist', id));
  };
  const learn = (change: WorkChangePayload) => {
    follow(change.mainArtistIds);
    follow(change.previousMainArtistIds);
  };
  return {
    witnesses: { types: WORK_CHANGE_TYPES, isrcs: works },
    async load(after, resumed) {
      // One statement, so one snapshot: the work changes it reads and the credits they led to agree, and,
      // resumed from a cursor, none of those changes pruned (without one, `after` is the feed's head,
      // which an outbox pruned empty leaves behind the pruning point). The type condition is written out
      // so that the outbox's index on work changes serves it.
      const [row] = (await dataSource.query(
        `SELECT (SELECT (pruned_through_transaction, pruned_through_id) > ($2::xid8, $3::bigint)
                 FROM change_event_retention) AS expired,
                (SELECT array_agg(DISTINCT wa.artist_id) FROM work w JOIN work_artist wa ON wa.work_id = w.id
                 WHERE w.isrc = ANY($1::text[]) AND wa.role = 'MAIN') AS artists,
                (SELECT jsonb_agg(e.payload) FROM change_event e
                 WHERE e.type IN ('${ChangeType.WORK_REGISTERED}', '${ChangeType.WORK_UPDATED}')
                   AND e.payload->>'isrc' = ANY($1::text[])
                   AND (e.transaction_id, e.id) > ($2::xid8, $3::bigint)) AS changes`,
        [isrcs, after.transactionId.toString(), after.id.toString()],
      )) as { expired: boolean; artists: string[] | null; changes: WorkChangePayload[] | null }[];
      if (resumed && row.expired) throw new CursorExpiredError();
      follow(row.artists ?? undefined);
      for (const change of row.changes ?? []) learn(change);
    },
    matches(record) {
      if (isWorkChange(record)) {
        const change = record.payload as unknown as WorkChangePayload;
        if (!works.has(change.isrc)) return false;
        learn(change);
        return turnsDecisions(record);
      }
      if (record.type === ChangeType.CONSENT_RECORDED || record.type === ChangeType.CONSENT_WITHDRAWN) {
        const { isrc, artist } = record.payload as { isrc?: string; artist?: string };
        return (isrc !== undefined && works.has(isrc)) || (artist !== undefined && artists.has(artist));
      }
      return true;
    },
  };
}
