import type { ChangeRecord } from './change-record';
import type { ChangeType } from './change-type';
import type { Position } from './cursor';

/**
 * A subscription's own filter beyond who may hear and the types (consentChanged's followed works). It
 * may learn as it goes. Once it has loaded, the stream asks it once about each event it could deliver:
 * replayed ones in order, live ones as they come (those that came during the load, right after it). It
 * also shows it at once, even during the load, the live events it `witnesses` that the subscriber may
 * not hear: it learns from those, they are never delivered. What it learns must only widen what it
 * keeps, since live and replayed events interleave.
 */
export interface ChangeFollower {
  /**
   * Reads the starting state, for the events after `after`: called once the stream is registered,
   * before it is asked about any event. `resumed`: `after` is the subscriber's `since`, which pruning
   * may have passed (CURSOR_EXPIRED); otherwise it is the feed's head.
   */
  load(after: Position, resumed: boolean): Promise<void>;
  matches(record: ChangeRecord): boolean;
  /** Events to show it even when the subscriber may not hear them: these types, on these ISRCs. */
  witnesses: { types: ReadonlySet<ChangeType>; isrcs: ReadonlySet<string> } | null;
}

export function witnesses(follower: ChangeFollower, record: ChangeRecord): boolean {
  const wanted = follower.witnesses;
  return wanted !== null && wanted.types.has(record.type) && wanted.isrcs.has(record.payload.isrc as string);
}
