import { hears, type Audience } from '../../src/events/change-audience';
import { toCursor } from '../../src/events/cursor';
import type { Receipts } from './receipts';

export interface CommittedEvent {
  transaction_id: string;
  id: string;
  partner_ids: string[];
  title: string;
  /** Commit time in epoch milliseconds, when the server records commit timestamps. */
  committed_ms: number | null;
}

export interface Tally {
  expected: number;
  lost: number;
  /** Sorted latencies in milliseconds. */
  fromCommit: Float64Array;
  fromRequest: Float64Array;
}

/** What each subscriber should have received (by the gateway's own audience rule), against what it did. */
export function tallyDeliveries(
  events: readonly CommittedEvent[],
  audienceOfSubscriber: (index: number) => Audience,
  subscribers: number,
  receipts: Receipts,
  sentAt: ReadonlyMap<string, number>,
): Tally {
  const cursors = events.map((event) => toCursor({ transactionId: BigInt(event.transaction_id), id: BigInt(event.id) }));
  const fromCommit: number[] = [];
  const fromRequest: number[] = [];
  let expected = 0;
  let lost = 0;
  for (let index = 0; index < subscribers; index += 1) {
    const audience = audienceOfSubscriber(index);
    events.forEach((event, position) => {
      if (!hears(audience, event.partner_ids)) return;
      expected += 1;
      const at = receipts.receivedAt(index, cursors[position]);
      if (at === undefined) {
        lost += 1;
        return;
      }
      if (event.committed_ms !== null) fromCommit.push(at - Number(event.committed_ms));
      const sent = sentAt.get(event.title);
      if (sent !== undefined) fromRequest.push(at - sent);
    });
  }
  return { expected, lost, fromCommit: Float64Array.from(fromCommit).sort(), fromRequest: Float64Array.from(fromRequest).sort() };
}

/** Every subscriber's expected count, to know when delivery is complete. */
export function expectedDeliveries(events: readonly CommittedEvent[], audienceOfSubscriber: (index: number) => Audience, subscribers: number): number {
  let total = 0;
  for (let index = 0; index < subscribers; index += 1) {
    const audience = audienceOfSubscriber(index);
    total += events.filter((event) => hears(audience, event.partner_ids)).length;
  }
  return total;
}
