import { CloseCode } from 'graphql-ws';

/** Why the gateway closes a subscriber's WebSocket; README's "Subscriptions" section lists the same. */
export const SubscriberCloseCode = {
  /** graphql-ws Unauthorized: connection_init without a valid token, or the token expired while open. */
  UNAUTHORIZED: CloseCode.Unauthorized,
  /** graphql-ws Forbidden: the partner is suspended, at connection or while connected. */
  FORBIDDEN: CloseCode.Forbidden,
  /** Accord's own: more events waited for the subscriber than its buffer holds; the reason names the cursor to resume from. */
  SLOW_SUBSCRIBER: 4413,
} as const;

/** WebSocket close reasons are at most 123 bytes. */
export function closeReason(text: string): string {
  let reason = text;
  while (Buffer.byteLength(reason) > 123) reason = reason.slice(0, -1);
  return reason;
}
