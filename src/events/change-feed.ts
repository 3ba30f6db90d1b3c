import type { Client } from 'pg';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { listenConnection } from '../db/listen-connection';
import type { ChangeRecord } from './change-record';
import type { Position } from './cursor';
import { CHANGE_EVENTS_CHANNEL } from './outbox';
import { readFeedPage, readHead, type Query } from './outbox-reader';

export interface ChangeFeedOptions {
  /** Safety poll: reads even without a notification (a lost NOTIFY, a dropped LISTEN connection). */
  pollIntervalMs: number;
  logger: Logger;
}

/** Receives the feed's events in order, a page at a time; the feed waits for it before reading on. */
export type ChangeHandler = (records: readonly ChangeRecord[]) => Promise<void>;

/** Rows read at a time; the handler gets them together. */
const PAGE_SIZE = 500;
const FIRST_RECHECK_MS = 10;
const FIRST_RECONNECT_MS = 100;
const MAX_RECONNECT_MS = 5_000;

/**
 * This process's one reader of the outbox. A dedicated connection LISTENs on the channel every writing
 * transaction notifies at commit; each notification, each safety poll and each reconnection triggers a
 * read of the final rows after the last position read (see outbox-reader.ts), handed in order to the
 * handler. Reads never overlap: a wake-up during a read makes the read go round once more. They run on
 * the same dedicated connection, so the feed never waits behind request traffic for a pooled one.
 */
export class ChangeFeed {
  private head!: Position;
  /** Set once start() has read the head: a notification before that has nothing to read from. */
  private started = false;
  private listener: Client | undefined;
  private reading: Promise<void> | undefined;
  private readAgain = false;
  private stopped = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private recheckTimer: NodeJS.Timeout | undefined;
  private recheckDelay = FIRST_RECHECK_MS;
  private reconnectTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly handle: ChangeHandler,
    private readonly options: ChangeFeedOptions,
  ) {}

  /** Listens, then reads where the feed stands; returns that position (nothing before it will be handed on). */
  async start(): Promise<Position> {
    // LISTEN before reading the head: a commit in between is then either under the head or notified.
    await this.listen();
    this.head = await readHead(this.query);
    this.started = true;
    this.pollTimer = setInterval(() => this.wake(), this.options.pollIntervalMs);
    this.pollTimer.unref();
    // A notification that arrived with the head's answer was ignored: read once, in case it was news.
    this.wake();
    return this.head;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.pollTimer);
    clearTimeout(this.recheckTimer);
    clearTimeout(this.reconnectTimer);
    await this.reading;
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
  }

  /** Reads what is new now, or right after the read in progress. */
  wake(): void {
    if (this.stopped || !this.started) return;
    if (this.reading) {
      this.readAgain = true;
      return;
    }
    this.reading = this.drain().finally(() => {
      this.reading = undefined;
      if (this.readAgain) {
        this.readAgain = false;
        this.wake();
      }
    });
  }

  /** Statements on the LISTEN connection; lost meanwhile, the read fails and the reconnection reads again. */
  private readonly query: Query = async (sql, parameters) => {
    if (!this.listener) throw new Error('change feed connection is reconnecting');
    return (await this.listener.query(sql, parameters)).rows;
  };

  private async drain(): Promise<void> {
    if (!this.listener) return;
    try {
      for (;;) {
        const page = await readFeedPage(this.query, this.head, PAGE_SIZE);
        if (page.records.length > 0) {
          await this.handle(page.records);
          this.head = page.records[page.records.length - 1].position;
        }
        if (page.waiting) this.recheckSoon();
        else this.recheckDelay = FIRST_RECHECK_MS;
        if (!page.full || this.stopped) return;
      }
    } catch (error) {
      // The next notification or poll reads again from the same position: nothing is skipped.
      if (!this.stopped) this.options.logger.error({ err: error }, 'change feed read failed');
    }
  }

  /**
   * Committed events wait behind an older transaction still running. It may end without a NOTIFY (a
   * rollback, or no events written), so look again soon, backing off up to the poll interval.
   */
  private recheckSoon(): void {
    if (this.recheckTimer) return;
    this.recheckTimer = setTimeout(() => {
      this.recheckTimer = undefined;
      this.wake();
    }, this.recheckDelay);
    this.recheckDelay = Math.min(this.recheckDelay * 2, this.options.pollIntervalMs);
  }

  private async listen(): Promise<void> {
    const client = listenConnection(this.dataSource, 'accord-change-feed');
    const lost = (error?: Error) => this.lose(client, error);
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', () => this.wake());
    await client.connect();
    await client.query(`LISTEN ${CHANGE_EVENTS_CHANNEL}`);
    if (this.stopped) {
      await client.end();
      return;
    }
    this.listener = client;
  }

  private lose(client: Client, error: Error | undefined): void {
    if (this.stopped || this.listener !== client) return;
    this.listener = undefined;
    this.options.logger.warn({ err: error }, 'change feed lost its LISTEN connection; reconnecting');
    client.end().catch(() => undefined);
    this.reconnect(FIRST_RECONNECT_MS);
  }

  private reconnect(delay: number): void {
    this.reconnectTimer = setTimeout(() => {
      this.listen().then(
        // Anything committed while we were not listening is read now.
        () => this.wake(),
        (error: Error) => {
          if (this.stopped) return;
          this.options.logger.warn({ err: error }, 'change feed could not LISTEN yet');
          this.reconnect(Math.min(delay * 2, MAX_RECONNECT_MS));
        },
      );
    }, delay);
  }
}
