import { BadInputError } from '../common/errors';

/**
 * Where an event sits in the feed: the id of the transaction that wrote it, then its sequence id.
 *
 * The sequence id alone is not commit order: a transaction that drew id 7 can commit after the one that
 * drew id 8, so a reader resuming "after 8" would skip 7 forever. Readers only take rows whose
 * transaction is older than every transaction still running (`transaction_id < xmin` of the snapshot):
 * that set can no longer grow below its maximum, so ordering and resuming by (transaction id, id) never
 * skips a row and never repeats one.
 */
export interface Position {
  transactionId: bigint;
  id: bigint;
}

export const ORIGIN: Position = { transactionId: 0n, id: 0n };

const DECODED = /^(\d{1,20}):(\d{1,19})$/;

/** The opaque cursor clients pass back as `since`: base64url of "<transaction id>:<id>". */
export function toCursor(position: Position): string {
  return Buffer.from(`${position.transactionId}:${position.id}`).toString('base64url');
}

/** The largest values PostgreSQL's xid8 and bigint hold: beyond them, a crafted cursor would fail in SQL. */
const MAX_TRANSACTION_ID = 2n ** 64n - 1n;
const MAX_EVENT_ID = 2n ** 63n - 1n;

export function fromCursor(cursor: string): Position {
  const match = DECODED.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (
    !match ||
    toCursor({ transactionId: BigInt(match[1]), id: BigInt(match[2]) }) !== cursor ||
    BigInt(match[1]) > MAX_TRANSACTION_ID ||
    BigInt(match[2]) > MAX_EVENT_ID
  ) {
    throw new BadInputError(`"${cursor}" is not a change cursor: pass the cursor of an event you received`, {
      field: 'since',
    });
  }
  return { transactionId: BigInt(match[1]), id: BigInt(match[2]) };
}

export function comparePositions(a: Position, b: Position): number {
  if (a.transactionId !== b.transactionId) return a.transactionId < b.transactionId ? -1 : 1;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return 0;
}

export function isAfter(a: Position, b: Position): boolean {
  return comparePositions(a, b) > 0;
}
