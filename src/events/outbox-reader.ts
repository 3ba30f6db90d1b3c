import { audienceCondition, type Audience } from './change-audience';
import { CHANGE_RECORD_COLUMNS, toChangeRecord, type ChangeRecord, type ChangeRow } from './change-record';
import type { ChangeType } from './change-type';
import { ORIGIN, type Position } from './cursor';

/**
 * The reads of the change feed. "Final" rows are those written by a transaction older than every
 * transaction still running (`transaction_id < pg_snapshot_xmin(pg_current_snapshot())`): they are
 * committed, and no row can ever appear before the last of them in (transaction_id, id) order.
 */
const XMIN = 'pg_snapshot_xmin(pg_current_snapshot())';
// ORDER BY names columns through the alias `e`: bare `id` would sort by the text output column.

/** Runs a statement and returns its rows: the feed's own connection, or the pool for replays. */
export type Query = (sql: string, parameters?: unknown[]) => Promise<unknown[]>;

/** The last final position: everything up to it is settled, everything after it is still to be read. */
export async function readHead(query: Query): Promise<Position> {
  const [row] = (await query(
    `SELECT e.transaction_id::text AS transaction_id, e.id::text AS id FROM change_event e
     WHERE e.transaction_id < ${XMIN} ORDER BY e.transaction_id DESC, e.id DESC LIMIT 1`,
  )) as { transaction_id: string; id: string }[];
  return row ? { transactionId: BigInt(row.transaction_id), id: BigInt(row.id) } : ORIGIN;
}

/** Which transactions a snapshot sees as committed: PostgreSQL's `pg_current_snapshot()`. */
export interface Snapshot {
  xmin: bigint;
  xmax: bigint;
  running: ReadonlySet<bigint>;
}

/** A snapshot of now: what has committed so far, final or not yet final. */
export async function readSnapshot(query: Query): Promise<Snapshot> {
  const [row] = (await query('SELECT pg_current_snapshot()::text AS snapshot')) as { snapshot: string }[];
  const [xmin, xmax, running] = row.snapshot.split(':');
  return { xmin: BigInt(xmin), xmax: BigInt(xmax), running: new Set(running ? running.split(',').map(BigInt) : []) };
}

/** Whether a committed transaction had committed when the snapshot was taken (`pg_visible_in_snapshot`). */
export function committedBy(snapshot: Snapshot, transactionId: bigint): boolean {
  return transactionId < snapshot.xmin || (transactionId < snapshot.xmax && !snapshot.running.has(transactionId));
}

export interface FeedPage {
  records: ChangeRecord[];
  /** More final rows may follow the page. */
  full: boolean;
  /** Committed rows after the page are waiting for an older transaction to finish. */
  waiting: boolean;
}

/**
 * The final rows after a position, in feed order. Rows after them that are committed but not final yet
 * come back flagged, so the feed knows to look again soon even if the older transaction holding them
 * back ends without a NOTIFY (a rollback, or a transaction that wrote no events).
 */
export async function readFeedPage(query: Query, after: Position, limit: number): Promise<FeedPage> {
  const rows = (await query(
    `SELECT ${CHANGE_RECORD_COLUMNS}, e.transaction_id < h.xmin AS final
     FROM (SELECT ${XMIN} AS xmin) h
     CROSS JOIN LATERAL (
       SELECT * FROM change_event e
       WHERE (e.transaction_id, e.id) > ($1::xid8, $2::bigint)
       ORDER BY e.transaction_id, e.id LIMIT $3
     ) e
     JOIN partner p ON p.id = e.actor_id
     ORDER BY e.transaction_id, e.id`,
    [after.transactionId.toString(), after.id.toString(), limit],
  )) as (ChangeRow & { final: boolean })[];
  const final = rows.filter((row) => row.final);
  return { records: final.map(toChangeRecord), full: final.length === limit, waiting: final.length < rows.length };
}

export interface ReplayRequest {
  after: Position;
  /** Inclusive upper bound: the feed position live delivery takes over from. */
  through: Position;
  audience: Audience;
  types: readonly ChangeType[] | null;
  limit: number;
}

/**
 * A page of the events a subscriber may see between two positions, for replay. `expired` is true when
 * retention has pruned rows after `after`: the page could be missing some, so the subscriber must
 * resynchronize. It is read in the same statement, hence the same snapshot, as the rows.
 */
export async function readReplayPage(
  query: Query,
  request: ReplayRequest,
): Promise<{ records: ChangeRecord[]; expired: boolean }> {
  const { after, through } = request;
  const params: unknown[] = [after.transactionId.toString(), after.id.toString(), through.transactionId.toString(), through.id.toString()];
  const conditions = [
    '(e.transaction_id, e.id) > ($1::xid8, $2::bigint)',
    '(e.transaction_id, e.id) <= ($3::xid8, $4::bigint)',
    audienceCondition(request.audience, params),
  ];
  if (request.types) {
    params.push(request.types);
    conditions.push(`e.type = ANY($${params.length}::text[])`);
  }
  params.push(request.limit);
  const rows = (await query(
    `SELECT r.expired, page.*
     FROM (SELECT (pruned_through_transaction, pruned_through_id) > ($1::xid8, $2::bigint) AS expired
           FROM change_event_retention) r
     LEFT JOIN LATERAL (
       SELECT ${CHANGE_RECORD_COLUMNS}
       FROM change_event e JOIN partner p ON p.id = e.actor_id
       WHERE ${conditions.join(' AND ')}
       ORDER BY e.transaction_id, e.id LIMIT $${params.length}
     ) page ON true`,
    params,
  )) as (Partial<ChangeRow> & { expired: boolean })[];
  const expired = rows[0]?.expired ?? false;
  return { expired, records: rows.filter((row) => row.id !== null && row.id !== undefined).map((row) => toChangeRecord(row as ChangeRow)) };
}
