import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export const CHANGES = `subscription($since: String, $types: [ChangeType!]) {
  changes(since: $since, types: $types) { cursor type entityId occurredAt payload actor { name } }
}`;

export interface ReceivedChange {
  cursor: string;
  type: string;
  entityId: string;
  occurredAt: string;
  payload: Record<string, unknown>;
  actor: { name: string };
}

export interface Closed {
  code: number;
  reason: string;
}

export interface ChangeSubscriber {
  events: ReceivedChange[];
  /** GraphQL errors, from a `next` carrying errors or from an `error` message. */
  errors: any[]; // any: each test reads the error shape it expects
  /** Resolves when the server acknowledged connection_init. */
  acknowledged: Promise<void>;
  /** Resolves when the socket closes, with the server's code and reason. */
  closed: Promise<Closed>;
  /** Resolves when the subscription ends (completed, failed or its socket closed). */
  ended: Promise<void>;
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedChange[]>;
  lastCursor(): string | undefined;
  dispose(): Promise<void>;
}

export function webSocketUrl(httpUrl: string): string {
  return httpUrl.replace(/^http/, 'ws');
}

/**
 * A partner's client: the graphql-ws client over the `ws` package, no retries (a test sees every
 * close), one subscription (`changes` unless another query is given) collecting what arrives.
 */
export function subscribeChanges(
  gatewayUrl: string,
  connectionParams: Record<string, unknown> | undefined,
  variables: { since?: string | null; types?: string[]; isrcs?: string[] } = {},
  query = CHANGES,
): ChangeSubscriber {
  const events: ReceivedChange[] = [];
  const errors: any[] = []; // any: see ChangeSubscriber.errors
  let onClosed!: (closed: Closed) => void;
  const closed = new Promise<Closed>((resolve) => (onClosed = resolve));
  let onAcknowledged!: () => void;
  const acknowledged = new Promise<void>((resolve) => (onAcknowledged = resolve));
  const client: Client = createClient({
    url: webSocketUrl(gatewayUrl),
    webSocketImpl: WebSocket,
    connectionParams,
    retryAttempts: 0,
    on: {
      connected: () => onAcknowledged(),
      closed: (event) => {
        const { code, reason } = event as { code: number; reason: string | Buffer };
        onClosed({ code, reason: String(reason) });
      },
    },
  });
  const ended = new Promise<void>((resolve) => {
    client.subscribe<Record<string, ReceivedChange>>(
      { query, variables },
      {
        next: (result) => {
          if (result.errors) errors.push(...result.errors);
          // `changes` or `consentChanged`: the one field the subscription selects.
          const event = result.data && Object.values(result.data)[0];
          if (event) events.push(event);
        },
        error: (error) => {
          if (Array.isArray(error)) errors.push(...error);
          resolve();
        },
        complete: resolve,
      },
    );
  });
  return {
    events,
    errors,
    acknowledged,
    closed,
    ended,
    async waitFor(count, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (events.length < count) {
        if (Date.now() > deadline) {
          throw new Error(`expected ${count} events, received ${events.length} (errors: ${JSON.stringify(errors)})`);
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return events;
    },
    lastCursor: () => events.at(-1)?.cursor,
    async dispose() {
      await client.dispose();
    },
  };
}

export function bearer(token: string): Record<string, unknown> {
  return { authorization: `Bearer ${token}` };
}

/**
 * Call at the top of a test file: returns `track`, which has a subscriber disposed after the test that
 * opened it, so that no socket outlives its test.
 */
export function disposedAfterEach(): <S extends ChangeSubscriber>(subscriber: S) => S {
  const open: ChangeSubscriber[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((subscriber) => subscriber.dispose()));
  });
  return (subscriber) => {
    open.push(subscriber);
    return subscriber;
  };
}
