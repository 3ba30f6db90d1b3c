import type { ChangeRecord } from './change-record';
import type { ChangeType } from './change-type';
import type { Position } from './cursor';

/**
 * A subscription's own filter beyond who may hear and the types (consentChanged's followed works). It
 * may learn as it goes: once it has loaded, the stream asks it once about each event it could deliver
 * (replayed ones in order, live ones as they come) and shows it, as they come, the live events it
 * `witnesses` that the subscriber may not hear: it learns from those, they are never delivered. What it
 * learns must only widen what it keeps, since live and replayed events interleave.
 */
export interface ChangeFollower {
  /**
   * Reads the starting state, for the events after `after` (those it is about to replay, when `replays`,
   * and the live ones): called once the stream is registered, before any event is asked about.
   */
  load(after: Position, replays: boolean): Promise<void>;
  matches(record: ChangeRecord): boolean;
  /** Events to show it even when the subscriber may not hear them: these types, on these ISRCs. */
  witnesses: { types: ReadonlySet<ChangeType>; isrcs: ReadonlySet<string> } | null;
}

export function witnesses(follower: ChangeFollower, record: ChangeRecord): boolean {
  const wanted = follower.witnesses;
  return wanted !== null && wanted.types.has(record.type) && wanted.isrcs.has(record.payload.isrc as string);
}
