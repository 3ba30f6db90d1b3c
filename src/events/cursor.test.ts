import fc from 'fast-check';
import { comparePositions, fromCursor, isAfter, toCursor } from './cursor';

const position = fc.record({ transactionId: fc.bigInt(0n, 2n ** 64n - 1n), id: fc.bigInt(1n, 2n ** 63n - 1n) });

describe('change cursors', () => {
  it('round-trip every position and stay opaque (base64url)', () => {
    fc.assert(
      fc.property(position, (p) => {
        const cursor = toCursor(p);
        expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(fromCursor(cursor)).toEqual(p);
      }),
    );
  });

  it('order by transaction id first, then by id', () => {
    expect(isAfter({ transactionId: 10n, id: 1n }, { transactionId: 9n, id: 500n })).toBe(true);
    expect(isAfter({ transactionId: 10n, id: 2n }, { transactionId: 10n, id: 1n })).toBe(true);
    expect(comparePositions({ transactionId: 10n, id: 2n }, { transactionId: 10n, id: 2n })).toBe(0);
  });

  it.each([
    '',
    'nope',
    Buffer.from('12:').toString('base64url'),
    Buffer.from('1:2:3').toString('base64url'),
    `${toCursor({ transactionId: 1n, id: 2n })}=`,
    // Beyond what xid8 and bigint hold: PostgreSQL would refuse them (a 500 before).
    toCursor({ transactionId: 2n ** 64n, id: 1n }),
    toCursor({ transactionId: 1n, id: 2n ** 63n }),
  ])(
    'refuses %j with BAD_USER_INPUT',
    (cursor) => {
      expect(() => fromCursor(cursor)).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT', details: { field: 'since' } }));
    },
  );
});
