/**
 * When each subscriber received each event, kept compactly: 1,000 subscribers × thousands of events
 * would be millions of objects otherwise. Events get an ordinal on first sight; each subscriber has a
 * row of receive times (NaN: not received).
 */
export class Receipts {
  private readonly ordinals = new Map<string, number>();
  private readonly times: Float64Array[];
  duplicates = 0;
  received = 0;

  constructor(subscribers: number, private readonly capacity: number) {
    this.times = Array.from({ length: subscribers }, () => new Float64Array(capacity).fill(NaN));
  }

  record(subscriber: number, cursor: string, at: number): void {
    let ordinal = this.ordinals.get(cursor);
    if (ordinal === undefined) {
      ordinal = this.ordinals.size;
      if (ordinal >= this.capacity) throw new Error(`more than ${this.capacity} distinct events: raise the capacity`);
      this.ordinals.set(cursor, ordinal);
    }
    const row = this.times[subscriber];
    if (!Number.isNaN(row[ordinal])) this.duplicates += 1;
    else row[ordinal] = at;
    this.received += 1;
  }

  /** When a subscriber received an event, or undefined. */
  receivedAt(subscriber: number, cursor: string): number | undefined {
    const ordinal = this.ordinals.get(cursor);
    if (ordinal === undefined) return undefined;
    const at = this.times[subscriber][ordinal];
    return Number.isNaN(at) ? undefined : at;
  }
}

export function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))];
}
