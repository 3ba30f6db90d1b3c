import { PartnerEntity } from '../partners/partner.entity';
import type { ChangeFollower } from './change-follower';
import type { ChangeRecord } from './change-record';
import { ChangeStream } from './change-stream';
import { CursorExpiredError } from './changes.errors';
import { ChangeType } from './change-type';
import { toCursor, type Position } from './cursor';

const at = (id: number): Position => ({ transactionId: BigInt(id), id: BigInt(id) });

function event(id: number, type: ChangeType, artist: string): ChangeRecord {
  const position = at(id);
  return {
    position,
    cursor: toCursor(position),
    type,
    entityId: `event-${id}`,
    partnerIds: [],
    occurredAt: new Date(0),
    payload: { isrc: 'QZAUR2600001', artist },
    actor: new PartnerEntity(),
  };
}

/** Follows the artists `load` finds, and those a work change names from then on. */
function learningFollower(loaded: string[] = [], loading: Promise<void> = Promise.resolve()): ChangeFollower {
  const followed = new Set<unknown>();
  return {
    load: jest.fn(async () => {
      await loading;
      for (const artist of loaded) followed.add(artist);
    }),
    matches: (record) => {
      if (record.type === ChangeType.WORK_UPDATED) {
        followed.add(record.payload.artist);
        return true;
      }
      return followed.has(record.payload.artist);
    },
    witnesses: { types: new Set([ChangeType.WORK_UPDATED]), isrcs: new Set(['QZAUR2600001']) },
  };
}

/** A follower whose load ends only when `finishLoading` is called. */
function slowFollower(loaded: string[] = []): { follower: ChangeFollower; finishLoading: () => void } {
  let finishLoading!: () => void;
  const follower = learningFollower(loaded, new Promise((resolve) => (finishLoading = resolve)));
  return { follower, finishLoading };
}

function streamFrom(
  replay: ChangeRecord[],
  options: { bufferLimit?: number; follower?: ChangeFollower; onOverflow?: () => void; expired?: boolean; since?: boolean } = {},
): ChangeStream {
  const pages = [replay, []];
  const replayThrough = replay.length > 0 ? replay[replay.length - 1].position : options.since ? at(1) : null;
  return new ChangeStream({
    start: at(1),
    replayThrough: options.expired && !options.since ? at(100) : replayThrough,
    types: null,
    follower: options.follower ?? learningFollower(),
    bufferLimit: options.bufferLimit ?? 10,
    readReplay: async () => ({ records: pages.shift() ?? [], expired: options.expired ?? false }),
    onOverflow: options.onOverflow ?? (() => undefined),
    onEnd: () => undefined,
  });
}

/** The ids of the next `count` events, or of those that came within 300 ms (all of them are in memory). */
async function take(stream: ChangeStream, count: number): Promise<string[]> {
  const seen: string[] = [];
  const deadline = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 300).unref());
  for (let i = 0; i < count; i += 1) {
    const result = await Promise.race([stream.next(), deadline]);
    if (!result) break;
    seen.push((result.value as ChangeRecord).entityId);
  }
  return seen;
}

describe('ChangeStream with a follower', () => {
  it('judges nothing before it has loaded: an event pushed meanwhile is judged on what it loaded', async () => {
    const { follower, finishLoading } = slowFollower(['x']);
    const stream = streamFrom([], { follower });
    const starting = stream.start();
    stream.push(event(2, ChangeType.CONSENT_RECORDED, 'x'));
    stream.push(event(3, ChangeType.CONSENT_RECORDED, 'y'));
    finishLoading();
    await starting;
    stream.push(event(4, ChangeType.CONSENT_RECORDED, 'x'));
    expect(await take(stream, 3)).toEqual(['event-2', 'event-4']);
  });

  it('replays only what it keeps', async () => {
    const stream = streamFrom(
      [event(2, ChangeType.CONSENT_RECORDED, 'y'), event(3, ChangeType.CONSENT_RECORDED, 'x'), event(4, ChangeType.CONSENT_RECORDED, 'y')],
      { follower: learningFollower(['x']) },
    );
    await stream.start();
    stream.push(event(5, ChangeType.CONSENT_RECORDED, 'x'));
    expect(await take(stream, 3)).toEqual(['event-3', 'event-5']);
  });

  it('learns at once from the events it witnesses, even while loading, and never delivers them', async () => {
    const { follower, finishLoading } = slowFollower();
    const stream = streamFrom([], { follower });
    const starting = stream.start();
    stream.witness(event(2, ChangeType.WORK_UPDATED, 'y'));
    stream.push(event(3, ChangeType.CONSENT_RECORDED, 'y'));
    finishLoading();
    await starting;
    stream.witness(event(4, ChangeType.WORK_UPDATED, 'z'));
    stream.witness(event(5, ChangeType.CONSENT_RECORDED, 'z'));
    stream.push(event(6, ChangeType.CONSENT_RECORDED, 'z'));
    expect(await take(stream, 3)).toEqual(['event-3', 'event-6']);
  });

  it('once loaded, holds only the events it keeps: others do not count against the buffer', async () => {
    const onOverflow = jest.fn();
    const stream = streamFrom([], { bufferLimit: 2, onOverflow });
    await stream.start();
    stream.push(event(2, ChangeType.WORK_UPDATED, 'x'));
    for (let id = 3; id < 20; id += 1) stream.push(event(id, ChangeType.CONSENT_RECORDED, 'y'));
    stream.push(event(20, ChangeType.CONSENT_RECORDED, 'x'));
    expect(await take(stream, 2)).toEqual(['event-2', 'event-20']);
    expect(onOverflow).not.toHaveBeenCalled();
  });

  it("tells its follower whether it starts from the subscriber's cursor, even one with nothing to replay", async () => {
    const live = learningFollower();
    await streamFrom([], { follower: live }).start();
    expect(live.load).toHaveBeenCalledWith(at(1), false);
    // `since` at the feed's position: nothing to replay, but pruning may have passed it.
    const resumed = learningFollower();
    await streamFrom([], { follower: resumed, since: true }).start();
    expect(resumed.load).toHaveBeenCalledWith(at(1), true);
  });

  it('fails on an expired cursor before loading its follower, also one with nothing to replay', async () => {
    const follower = learningFollower();
    await expect(streamFrom([], { follower, expired: true }).start()).rejects.toThrow(CursorExpiredError);
    expect(follower.load).not.toHaveBeenCalled();
    // `since` at the feed's position on a replica whose outbox was pruned empty (its head is the origin).
    await expect(streamFrom([], { expired: true, since: true }).start()).rejects.toThrow(CursorExpiredError);
  });
});
