import type { Socket } from 'node:net';
import WebSocket from 'ws';

/** Bytes a socket may hold unsent before a send waits for the network again. */
const HIGH_WATER_BYTES = 256 * 1024;

type SendCallback = (error?: Error) => void;
type Send = (data: WebSocket.Data, ...rest: unknown[]) => void;

/**
 * graphql-ws takes a subscription's next event only once the previous message's write has completed,
 * so every message costs a system call of its own: with a thousand subscribers that is most of the
 * gateway's time. This socket reports a message written as soon as it is queued, while little is
 * queued, and holds the messages of one tick together (cork) so that they leave in one write. A client
 * that stops reading still holds its subscriptions back once its queue passes the high-water mark, so
 * their own bounded buffers fill as before.
 */
export class CoalescingWebSocket extends WebSocket {
  private transport: Socket | undefined;
  private corked = false;

  /** The TCP socket under this WebSocket (the upgrade request's), whose writes are batched. */
  coalesceOn(transport: Socket): void {
    this.transport = transport;
  }

  override send(data: WebSocket.Data, ...rest: unknown[]): void {
    this.corkUntilNextTick();
    const send = super.send.bind(this) as Send;
    const [optionsOrCallback, maybeCallback] = rest;
    const callback = (typeof optionsOrCallback === 'function' ? optionsOrCallback : maybeCallback) as SendCallback | undefined;
    if (!callback || this.bufferedAmount >= HIGH_WATER_BYTES) {
      send(data, ...rest);
      return;
    }
    // A write that fails later fails the socket, which closes it and ends its subscriptions.
    send(data, ...(typeof optionsOrCallback === 'function' ? [] : [optionsOrCallback]));
    callback();
  }

  private corkUntilNextTick(): void {
    const transport = this.transport;
    if (!transport || this.corked) return;
    this.corked = true;
    transport.cork();
    process.nextTick(() => {
      this.corked = false;
      transport.uncork();
    });
  }
}
