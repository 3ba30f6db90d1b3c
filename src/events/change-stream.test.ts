import { PartnerEntity } from '../partners/partner.entity';
import type { ChangeRecord } from './change-record';
import { ChangeStream } from './change-stream';
import { ChangeType } from './change-type';
import { toCursor, type Position } from './cursor';

const at = (id: number): Position => ({ transactionId: BigInt(id), id: BigInt(id) });

function event(id: number, type: ChangeType, payload: Record<string, unknown>): ChangeRecord {
  const position = at(id);
  return {
    position,
    cursor: toCursor(position),
    type,
    entityId: `event-${id}`,
    partnerIds: [],
    occurredAt: new Date(0),
    payload,
    actor: new PartnerEntity(),
  };
}

/** A filter that learns as it goes: it follows an artist from the event that names it on. */
function learningFilter(): (record: ChangeRecord) => boolean {
  const followed = new Set<unknown>();
  return (record) => {
    if (record.type === ChangeType.WORK_UPDATED) {
      followed.add(record.payload.artist);
      return true;
    }
    return followed.has(record.payload.artist);
  };
}

function streamFrom(replay: ChangeRecord[], bufferLimit: number, onOverflow = jest.fn()): ChangeStream {
  const pages = [replay, []];
  return new ChangeStream({
    start: at(1),
    replayThrough: replay.length > 0 ? replay[replay.length - 1].position : null,
    types: null,
    matches: learningFilter(),
    bufferLimit,
    readReplay: async () => ({ records: pages.shift() ?? [], expired: false }),
    onOverflow,
    onEnd: () => undefined,
  });
}

/** The ids of the next `count` events, or of those that came within a second. */
async function take(stream: ChangeStream, count: number): Promise<string[]> {
  const seen: string[] = [];
  const deadline = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 1_000).unref());
  for (let i = 0; i < count; i += 1) {
    const result = await Promise.race([stream.next(), deadline]);
    if (!result) break;
    seen.push((result.value as ChangeRecord).entityId);
  }
  return seen;
}

describe('ChangeStream', () => {
  it('asks its filter in outbox order: an event pushed live during the replay is judged after the replayed ones', async () => {
    const stream = streamFrom([event(2, ChangeType.WORK_UPDATED, { artist: 'x' })], 10);
    // Pushed by the feed before the replay read the event that makes it followed.
    stream.push(event(3, ChangeType.CONSENT_RECORDED, { artist: 'x' }));
    stream.push(event(4, ChangeType.CONSENT_RECORDED, { artist: 'y' }));
    const delivered = take(stream, 3);
    stream.push(event(5, ChangeType.CONSENT_RECORDED, { artist: 'x' }));
    expect(await delivered).toEqual(['event-2', 'event-3', 'event-5']);
  });

  it('once live, holds only the events its filter keeps: others do not count against the buffer', async () => {
    const onOverflow = jest.fn();
    const stream = streamFrom([], 2, onOverflow);
    stream.push(event(2, ChangeType.WORK_UPDATED, { artist: 'x' }));
    for (let id = 3; id < 20; id += 1) stream.push(event(id, ChangeType.CONSENT_RECORDED, { artist: 'y' }));
    stream.push(event(20, ChangeType.CONSENT_RECORDED, { artist: 'x' }));
    expect(await take(stream, 2)).toEqual(['event-2', 'event-20']);
    expect(onOverflow).not.toHaveBeenCalled();
  });
});
