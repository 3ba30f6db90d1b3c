import WebSocket from 'ws';

export interface LightSubscriberHandlers {
  acknowledged(): void;
  next(cursor: string): void;
  problem(description: unknown): void;
  closed(code: number, reason: string): void;
}

/**
 * The graphql-transport-ws protocol spoken directly over `ws`, doing no more per message than reading
 * the cursor: with a thousand of them in one process, a full client library would measure itself more
 * than the gateway.
 */
export function lightSubscriber(
  url: string,
  token: string,
  query: string,
  variables: Record<string, unknown>,
  handlers: LightSubscriberHandlers,
): { close(): void } {
  const socket = new WebSocket(url, 'graphql-transport-ws');
  socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
  socket.on('message', (data) => {
    const message = JSON.parse(data.toString());
    switch (message.type) {
      case 'next':
        if (message.payload.errors) handlers.problem(message.payload.errors);
        else handlers.next(message.payload.data.changes.cursor);
        break;
      case 'connection_ack':
        handlers.acknowledged();
        socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query, variables } }));
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
  socket.on('close', (code, reason) => handlers.closed(code, reason.toString()));
  return { close: () => socket.close(1000) };
}
