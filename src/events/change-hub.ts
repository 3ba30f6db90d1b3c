import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { Viewer } from '../auth/viewer';
import { fromGlobalId } from '../common/relay/global-id';
import { ChangeFeed } from './change-feed';
import type { ChangeRecord } from './change-record';
import { ChangeType } from './change-type';
import { SubscriberCloseCode } from './close-codes';
import { ORIGIN, type Position } from './cursor';
import { SubscriberSession } from './subscriber-session';

export interface ChangeHubOptions {
  dataSource: DataSource;
  logger: Logger;
  loadViewer(partnerId: string): Promise<Viewer | undefined>;
  bufferLimit: number;
  viewerRefreshMs: number;
  pollIntervalMs: number;
}

/** Events after which the viewers they name are reloaded before anything else is delivered. */
const MANDATE_CHANGES: ReadonlySet<ChangeType> = new Set([ChangeType.MANDATE_GRANTED, ChangeType.MANDATE_REVOKED]);

/**
 * This process's subscribers and the feed that serves them. Each event goes to every session in feed
 * order, synchronously, so a slow subscriber only ever fills its own buffer. `position` moves with each
 * event handed out: a stream opened at any moment replays from the outbox up to it and takes live
 * events after it.
 */
export class ChangeHub {
  private readonly sessions = new Set<SubscriberSession>();
  private readonly feed: ChangeFeed;
  private position: Position = ORIGIN;

  constructor(private readonly options: ChangeHubOptions) {
    this.feed = new ChangeFeed(options.dataSource, (records) => this.dispatch(records), {
      pollIntervalMs: options.pollIntervalMs,
      logger: options.logger,
    });
  }

  async start(): Promise<void> {
    this.position = await this.feed.start();
  }

  async stop(): Promise<void> {
    await this.feed.stop();
  }

  /** A session for a socket whose connection_init carried a valid token. */
  connect(viewer: Viewer, expiresAt: Date, closeSocket: (code: number, reason: string) => void): SubscriberSession {
    const { dataSource, logger, loadViewer, bufferLimit, viewerRefreshMs } = this.options;
    const session = new SubscriberSession(
      {
        dataSource,
        logger,
        loadViewer,
        bufferLimit,
        viewerRefreshMs,
        position: () => this.position,
        forget: (gone) => this.sessions.delete(gone),
      },
      viewer,
      expiresAt,
      closeSocket,
    );
    this.sessions.add(session);
    return session;
  }

  private async dispatch(records: readonly ChangeRecord[]): Promise<void> {
    for (const record of records) {
      if (record.type === ChangeType.PARTNER_SUSPENDED) this.closeSuspended(record);
      for (const session of this.sessions) session.deliver(record);
      this.position = record.position;
      if (MANDATE_CHANGES.has(record.type)) {
        const concerned = [...this.sessions].filter((session) => session.concerns(record));
        await Promise.all(concerned.map((session) => session.reload()));
      }
    }
  }

  private closeSuspended(record: ChangeRecord): void {
    const { id: partnerId } = fromGlobalId(record.entityId);
    for (const session of [...this.sessions]) {
      if (session.isPartner(partnerId)) session.close(SubscriberCloseCode.FORBIDDEN, 'partner is suspended');
    }
  }
}
