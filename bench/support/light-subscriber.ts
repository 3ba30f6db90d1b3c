import WebSocket from 'ws';

export interface LightSubscriberHandlers {
  acknowledged(): void;
  next(cursor: string): void;
  problem(description: unknown): void;
  /** The gateway closed the socket; the subscriber resumes from its last cursor unless stopped. */
  closed(code: number, reason: string): void;
}

const RESUME_DELAY_MS = 200;

/**
 * The graphql-transport-ws protocol spoken directly over `ws`, doing no more per message than reading
 * the cursor (with a thousand of them in one process, a full client library would measure itself more
 * than the gateway). Like a well-behaved partner client, it resumes from the last cursor it received
 * when the gateway closes its socket, so that "lost" counts events the gateway failed to deliver at all.
 */
export function lightSubscriber(
  url: string,
  token: string,
  query: string,
  since: string,
  handlers: LightSubscriberHandlers,
): { close(): void } {
  let cursor = since;
  let stopped = false;
  let socket: WebSocket;

  const connect = () => {
    socket = new WebSocket(url, 'graphql-transport-ws');
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
    socket.on('message', (data) => {
      const message = JSON.parse(data.toString());
      switch (message.type) {
        case 'next':
          if (message.payload.errors) handlers.problem(message.payload.errors);
          else {
            cursor = message.payload.data.changes.cursor;
            handlers.next(cursor);
          }
          break;
        case 'connection_ack':
          handlers.acknowledged();
          socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query, variables: { since: cursor } } }));
          break;
        case 'ping':
          socket.send(JSON.stringify({ type: 'pong' }));
          break;
        case 'error':
        case 'complete':
          handlers.problem(message);
          break;
      }
    });
    socket.on('error', (error) => handlers.problem(error.message));
    socket.on('close', (code, reason) => {
      if (stopped) return;
      handlers.closed(code, reason.toString());
      setTimeout(connect, RESUME_DELAY_MS);
    });
  };
  connect();
  return {
    close: () => {
      stopped = true;
      socket.close(1000);
    },
  };
}
