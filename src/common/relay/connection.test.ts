import { encodeCursor, isChronologicalPosition, isIsrcPosition, readPage, type PositionCheck } from './connection';
import { isUuid } from './global-id';

const UUID = '0b6d7c4e-1f2a-4b3c-8d9e-0a1b2c3d4e5f';
const CHRONOLOGICAL = `${new Date('2026-01-01T12:34:56.789Z').toISOString()}|${UUID}`;

/** Every kind of position some list writes, for the cases about the cursor's encoding. */
const anyList: PositionCheck = (position) => isIsrcPosition(position) || isUuid(position) || isChronologicalPosition('agreements')(position);

function after(cursor: string, isPosition: PositionCheck = anyList): string | undefined {
  return readPage({ first: 1, after: cursor }, 10, isPosition).after;
}

describe('cursors', () => {
  it.each([
    ['an ISRC', 'USRC17607839'],
    ['a uuid', UUID],
    ['a creation time and id', CHRONOLOGICAL],
    ['a creation time in microseconds and id', `2026-01-01T12:34:56.789123Z|${UUID}`],
    ['the first day PostgreSQL and toISOString share', `0001-01-01T00:00:00.000Z|${UUID}`],
    ['the last one', `9999-12-31T23:59:59.999Z|${UUID}`],
  ])('read back %s the gateway wrote', (_, position) => {
    expect(after(encodeCursor(position))).toBe(position);
  });

  it.each([
    ['no cursor prefix', Buffer.from(UUID).toString('base64url')],
    ['padding', `${encodeCursor(UUID)}=`],
    ['standard base64', Buffer.from(`cursor:${CHRONOLOGICAL}`).toString('base64')],
    ['invalid UTF-8', Buffer.from([...Buffer.from('cursor:'), 0xff]).toString('base64url')],
    ['a NUL character', encodeCursor('\u0000')],
    ['a lower-case ISRC', encodeCursor('usrc17607839')],
    ['an upper-case uuid', encodeCursor(UUID.toUpperCase())],
    ['a time without milliseconds', encodeCursor(`2026-01-01T00:00:00Z|${UUID}`)],
    ['a number for a time', encodeCursor('1|a')],
    ['year 0', encodeCursor(`0000-01-01T00:00:00.000Z|${UUID}`)],
    ['a six-digit year', encodeCursor(`+275760-09-13T00:00:00.000Z|${UUID}`)],
    ['February 30', encodeCursor(`2026-02-30T00:00:00.000Z|${UUID}`)],
    ['a time and something else', encodeCursor(`${CHRONOLOGICAL}|${UUID}`)],
    ['an empty cursor', ''],
  ])('refuse %s, naming the cursor', (_, cursor) => {
    expect(() => after(cursor)).toThrow(`after (${cursor}): not a cursor of this list`);
  });

  it("refuse another list's position when the list names its own", () => {
    expect(after(encodeCursor('USRC17607839'), isIsrcPosition)).toBe('USRC17607839');
    expect(() => after(encodeCursor(UUID), isIsrcPosition)).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT', details: { field: 'after' } }));
  });

  it("refuse another time-ordered list's cursor, and read back those written before lists named themselves", () => {
    const agreements = encodeCursor(`agreements/${CHRONOLOGICAL}`);
    expect(after(agreements, isChronologicalPosition('agreements'))).toBe(`agreements/${CHRONOLOGICAL}`);
    expect(() => after(agreements, isChronologicalPosition('usage-reports'))).toThrow(`after (${agreements}): not a cursor of this list`);
    expect(after(encodeCursor(CHRONOLOGICAL), isChronologicalPosition('usage-reports'))).toBe(CHRONOLOGICAL);
  });
});
