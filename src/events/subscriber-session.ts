import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { Viewer } from '../auth/viewer';
import { BadInputError } from '../common/errors';
import { PartnerStatus } from '../partners/partner.entity';
import { audienceOf, hears, type Audience } from './change-audience';
import type { ChangeFollower } from './change-follower';
import type { ChangeRecord } from './change-record';
import { ChangeStream } from './change-stream';
import type { ChangeType } from './change-type';
import { closeReason, SubscriberCloseCode } from './close-codes';
import { fromCursor, toCursor, type Position } from './cursor';
import { committedBy, readReplayPage, readSnapshot, type Snapshot } from './outbox-reader';

/** What a session needs from the process: where the feed stands, and how to read and reload. */
export interface SessionEnvironment {
  dataSource: DataSource;
  logger: Logger;
  /** The last position the feed handed to every session. */
  position(): Position;
  loadViewer(partnerId: string): Promise<Viewer | undefined>;
  bufferLimit: number;
  viewerRefreshMs: number;
  forget(session: SubscriberSession): void;
}

export interface ChangesRequest {
  since?: string | null;
  types?: readonly ChangeType[] | null;
  /** Beyond who may hear and the types: only the events this subscription follows. */
  follower?: ChangeFollower;
}

/** Keeps only the events `before` did not see committed; the follower is asked first, so it learns from those too. */
function liveOnly(follower: ChangeFollower | undefined, before: Snapshot): ChangeFollower {
  return {
    load: async (after, resumed) => follower?.load(after, resumed),
    matches: (record) => (follower?.matches(record) ?? true) && !committedBy(before, record.position.transactionId),
    witnesses: follower?.witnesses ?? null,
  };
}

/** setTimeout's largest delay (about 24.8 days); longer token lifetimes are waited out in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const REPLAY_PAGE_SIZE = 500;

/**
 * One authenticated WebSocket: the partner behind it, as its row says now, and its `changes` streams.
 * The viewer is reloaded on a timer and whenever a mandate event concerns the partner, so what the
 * streams let through follows mandates granted or revoked while the socket is open. The socket is
 * closed when the token expires or the partner is suspended.
 */
export class SubscriberSession {
  private current: Viewer;
  private audience: Audience;
  private readonly streams = new Map<string, ChangeStream>();
  private closed = false;
  private expiryTimer: NodeJS.Timeout | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly environment: SessionEnvironment,
    viewer: Viewer,
    expiresAt: Date,
    private readonly closeSocket: (code: number, reason: string) => void,
  ) {
    this.current = viewer;
    this.audience = audienceOf(viewer);
    this.watchExpiry(expiresAt.getTime());
    this.scheduleRefresh();
  }

  get viewer(): Viewer {
    return this.current;
  }

  /** A live event from the feed, in feed order: handed to every stream when the partner may hear it. */
  deliver(record: ChangeRecord): void {
    if (this.closed) return;
    if (hears(this.audience, record.partnerIds)) for (const stream of this.streams.values()) stream.push(record);
    else for (const stream of this.streams.values()) stream.witness(record);
  }

  isPartner(partnerId: string): boolean {
    return this.current.partnerId === partnerId;
  }

  concerns(record: ChangeRecord): boolean {
    return record.partnerIds.includes(this.current.partnerId);
  }

  /**
   * Starts a `changes` stream for a graphql-ws operation. It is registered before it replays, so live
   * events after the feed's current position are kept while the outbox is read up to that position.
   */
  async openChanges(operationId: string, request: ChangesRequest): Promise<ChangeStream> {
    if (request.types && request.types.length === 0) {
      throw new BadInputError('types: leave it out to receive every type', { field: 'types' });
    }
    const { dataSource, bufferLimit } = this.environment;
    // Live only means committed after the subscription. This process's feed hands events on once every
    // older transaction has finished (cursor.ts), so one committed just before may reach it later, from
    // the feed's position on: what a snapshot of now already sees committed is not live. Taken before
    // the feed's position is read and the stream registered right after it, so no event falls between.
    const before = request.since ? null : await readSnapshot((sql, parameters) => dataSource.query(sql, parameters));
    const through = this.environment.position();
    const start = request.since ? fromCursor(request.since) : through;
    const types = request.types ? new Set(request.types) : null;
    const follower = before ? liveOnly(request.follower, before) : request.follower;
    const stream = new ChangeStream({
      start,
      replayThrough: request.since ? through : null,
      types,
      follower,
      bufferLimit,
      readReplay: (after, until) =>
        readReplayPage((sql, parameters) => dataSource.query(sql, parameters), {
          after,
          through: until,
          audience: this.audience,
          types: request.types ?? null,
          limit: REPLAY_PAGE_SIZE,
        }),
      onOverflow: (deliveredThrough) =>
        this.close(
          SubscriberCloseCode.SLOW_SUBSCRIBER,
          `slow subscriber: over ${bufferLimit} events behind; resume with since: ${toCursor(deliveredThrough)}`,
        ),
      onEnd: () => this.streams.delete(operationId),
    });
    this.streams.set(operationId, stream);
    try {
      await stream.start();
    } catch (error) {
      stream.end();
      throw error;
    }
    return stream;
  }

  /** graphql-ws wrote the last event of an operation to the socket. */
  sent(operationId: string): void {
    this.streams.get(operationId)?.sent();
  }

  /** Re-reads the partner: suspension closes the socket, mandate changes take effect on the next event. */
  async reload(): Promise<void> {
    let viewer: Viewer | undefined;
    try {
      viewer = await this.environment.loadViewer(this.current.partnerId);
    } catch (error) {
      this.environment.logger.warn({ err: error, partnerId: this.current.partnerId }, 'subscriber viewer reload failed');
      return;
    }
    if (this.closed) return;
    if (!viewer) this.close(SubscriberCloseCode.UNAUTHORIZED, 'partner no longer exists');
    else if (viewer.status === PartnerStatus.SUSPENDED) this.close(SubscriberCloseCode.FORBIDDEN, 'partner is suspended');
    else {
      this.current = viewer;
      this.audience = audienceOf(viewer);
    }
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.environment.logger.info({ partnerId: this.current.partnerId, code, reason }, 'closing subscriber socket');
    // The socket first: streams ending now must not send `complete` ahead of the close.
    this.closeSocket(code, closeReason(reason));
    this.dispose();
  }

  /** The socket is gone (or going): stop timers and streams. */
  dispose(): void {
    this.closed = true;
    clearTimeout(this.expiryTimer);
    clearTimeout(this.refreshTimer);
    for (const stream of [...this.streams.values()]) stream.end();
    this.environment.forget(this);
  }

  private watchExpiry(expiresAt: number): void {
    const remaining = expiresAt - Date.now();
    if (remaining <= 0) {
      this.close(SubscriberCloseCode.UNAUTHORIZED, 'token expired');
      return;
    }
    this.expiryTimer = setTimeout(() => this.watchExpiry(expiresAt), Math.min(remaining, MAX_TIMER_MS));
  }

  /** Spread over ±10% so that sockets opened together do not reload together. */
  private scheduleRefresh(): void {
    const delay = this.environment.viewerRefreshMs * (0.9 + Math.random() * 0.2);
    this.refreshTimer = setTimeout(() => {
      void this.reload().finally(() => {
        if (!this.closed) this.scheduleRefresh();
      });
    }, delay);
  }
}
