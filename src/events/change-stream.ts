import { witnesses, type ChangeFollower } from './change-follower';
import type { ChangeRecord } from './change-record';
import type { ChangeType } from './change-type';
import { CursorExpiredError } from './changes.errors';
import { isAfter, type Position } from './cursor';

export interface ChangeStreamOptions {
  /** The subscriber's `since`, or the feed position when it gave none: events after it are due. */
  start: Position;
  /** Last position read from the outbox rather than from the feed; null when there is nothing to replay. */
  replayThrough: Position | null;
  types: ReadonlySet<ChangeType> | null;
  /** The subscription's own filter (change-follower.ts); every event when absent. */
  follower?: ChangeFollower;
  /** Live events held for a subscriber that does not keep up; one more and it is disconnected. */
  bufferLimit: number;
  readReplay(after: Position, through: Position): Promise<{ records: ChangeRecord[]; expired: boolean }>;
  /** Called once, with the position through which events were handed to the socket. */
  onOverflow(deliveredThrough: Position): void;
  onEnd(): void;
}

/** How long an overflowed stream waits for its event in flight to reach the socket before closing anyway. */
const IN_FLIGHT_GRACE_MS = 1_000;

/**
 * One `changes` subscription: replays events from the outbox after `start` up to `replayThrough`, then
 * hands on the live events the feed pushed meanwhile (all after `replayThrough`), so the switch-over has
 * no gap and no duplicate. The consumer (graphql-ws) pulls the next event only once the previous one
 * was handed to the socket (server/coalescing-socket.ts), so pulling, like graphql-ws's onNext hook
 * (`sent()`), tells the stream what is on its way to the client ahead of any close.
 */
export class ChangeStream implements AsyncIterableIterator<ChangeRecord> {
  private cursor: Position;
  /** Last outbox position read while replaying: ahead of `cursor` when the follower skipped events. */
  private replayedThrough: Position;
  private deliveredThrough: Position;
  private inFlight: ChangeRecord | undefined;
  private replayPage: ChangeRecord[] = [];
  private replaying: boolean;
  /** Live events that came while the follower was loading, to be judged once it has. */
  private held: ChangeRecord[] | null;
  private live: ChangeRecord[] = [];
  private waiting: ((result: IteratorResult<ChangeRecord>) => void) | undefined;
  private ended = false;
  private overflowed = false;
  private overflowTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: ChangeStreamOptions) {
    this.cursor = options.start;
    this.replayedThrough = options.start;
    this.deliveredThrough = options.start;
    this.replaying = options.replayThrough !== null && isAfter(options.replayThrough, options.start);
    this.held = options.follower ? [] : null;
  }

  /**
   * Reads the first replay page, so an expired cursor fails the subscription before anything else (also
   * a `since` at or after the feed's position, with nothing to replay), then loads the follower: from
   * then on it judges every event, replayed or live, as it comes.
   */
  async start(): Promise<void> {
    if (this.options.replayThrough !== null) await this.readReplayPage();
    // From the subscriber's `since` (whether or not there is anything to replay): its load checks pruning.
    await this.options.follower?.load(this.options.start, this.options.replayThrough !== null);
    const held = this.held ?? [];
    this.held = null;
    for (const record of held) this.push(record);
  }

  /** A live event the subscriber may see, in feed order. */
  push(record: ChangeRecord): void {
    if (!this.due(record)) return;
    if (this.held) {
      this.held.push(record);
      if (this.held.length > this.options.bufferLimit) this.overflow();
      return;
    }
    if (!this.keeps(record)) return;
    if (this.waiting && !this.replaying && this.live.length === 0) {
      this.handOn(record);
      return;
    }
    this.live.push(record);
    if (this.live.length > this.options.bufferLimit) this.overflow();
  }

  /**
   * A live event the subscriber may not see: shown to the follower if it witnesses it, at once (what it
   * learns only adds to what it follows, so it need not wait for the load or the replay).
   */
  witness(record: ChangeRecord): void {
    const { follower } = this.options;
    if (follower && this.due(record) && witnesses(follower, record)) follower.matches(record);
  }

  /** graphql-ws has written the event last handed on to the socket (its `onNext` hook). */
  sent(): void {
    if (!this.inFlight) return;
    this.deliveredThrough = this.inFlight.position;
    this.inFlight = undefined;
    // setImmediate: graphql-ws calls socket.send right after its onNext hook returns; close after that.
    if (this.overflowed) setImmediate(() => this.closeForOverflow());
  }

  async next(): Promise<IteratorResult<ChangeRecord>> {
    // Pulling again means the previous event went out, whether or not a hook reported it.
    this.sent();
    if (this.ended) return { done: true, value: undefined };
    if (this.overflowed) return new Promise((resolve) => (this.waiting = resolve));
    while (this.replaying) {
      const record = this.replayPage.shift();
      if (record && this.keeps(record)) return this.yield(record);
      if (record) continue;
      try {
        await this.readReplayPage();
      } catch (error) {
        // graphql-ws reports the error and forgets the iterator without calling return(): end here.
        this.end();
        throw error;
      }
      if (this.ended) return { done: true, value: undefined };
    }
    while (this.live.length > 0) {
      const record = this.live.shift()!;
      // Only when `since` was ahead of this process's feed: the events up to it were already delivered.
      if (isAfter(record.position, this.cursor)) return this.yield(record);
    }
    return new Promise((resolve) => (this.waiting = resolve));
  }

  async return(): Promise<IteratorResult<ChangeRecord>> {
    this.end();
    return { done: true, value: undefined };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.overflowTimer);
    this.live = [];
    this.held = null;
    this.replayPage = [];
    this.waiting?.({ done: true, value: undefined });
    this.waiting = undefined;
    this.options.onEnd();
  }

  private due(record: ChangeRecord): boolean {
    if (this.ended || this.overflowed) return false;
    // Behind the stream's start (this process's feed lags what the subscriber was given): not due, and
    // not to be counted against the buffer.
    if (!isAfter(record.position, this.cursor)) return false;
    return !this.options.types || this.options.types.has(record.type);
  }

  private keeps(record: ChangeRecord): boolean {
    return this.options.follower?.matches(record) ?? true;
  }

  private async readReplayPage(): Promise<void> {
    const { records, expired } = await this.options.readReplay(this.replayedThrough, this.options.replayThrough!);
    if (expired) throw new CursorExpiredError();
    if (records.length === 0) this.replaying = false;
    else this.replayedThrough = records[records.length - 1].position;
    this.replayPage = records;
  }

  private yield(record: ChangeRecord): IteratorResult<ChangeRecord> {
    this.cursor = record.position;
    this.inFlight = record;
    return { done: false, value: record };
  }

  private handOn(record: ChangeRecord): void {
    const resolve = this.waiting!;
    this.waiting = undefined;
    if (isAfter(record.position, this.cursor)) resolve(this.yield(record));
    else this.waiting = resolve;
  }

  /**
   * Drops the backlog and closes, naming the last event known to be on its way to the client. If an
   * event is between the stream and the socket, wait for it (briefly) so the name stays exact.
   */
  private overflow(): void {
    this.overflowed = true;
    this.live = [];
    this.held = null;
    if (!this.inFlight) {
      this.closeForOverflow();
      return;
    }
    this.overflowTimer = setTimeout(() => this.closeForOverflow(), IN_FLIGHT_GRACE_MS);
  }

  private closeForOverflow(): void {
    if (this.ended) return;
    clearTimeout(this.overflowTimer);
    this.options.onOverflow(this.deliveredThrough);
    this.end();
  }
}
