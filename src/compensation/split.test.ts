import fc from 'fast-check';
import { Decimal } from '../common/money';
import { splitByShares, type Share } from './split';

/** Random shares over 1..5 holders that sum to exactly 10000 bps. */
const sharesArbitrary = fc
  .array(fc.integer({ min: 1, max: 10_000 }), { minLength: 0, maxLength: 4 })
  .map((cuts) => [...new Set(cuts.filter((c) => c < 10_000))].sort((a, b) => a - b))
  .map((cuts) => {
    const bounds = [0, ...cuts, 10_000];
    return bounds.slice(1).map((bound, i): Share => ({ holderId: `label-${String.fromCharCode(97 + i)}`, bps: bound - bounds[i] }));
  });

describe('splitByShares (largest remainder)', () => {
  it('parts sum exactly to the whole and each is within one minor unit of its exact share', () => {
    // Amounts are whole minor units whatever the currency's exponent (JPY 0, EUR 2, KWD 3).
    fc.assert(
      fc.property(sharesArbitrary, fc.bigInt({ min: 0n, max: 10n ** 15n }), (shares, minor) => {
        const amount = new Decimal(minor.toString());
        const parts = splitByShares(amount, shares);
        expect(parts.reduce((sum, p) => sum + p.minorUnits, 0n)).toBe(minor);
        for (const part of parts) {
          const share = shares.find((s) => s.holderId === part.holderId)!;
          const exact = amount.times(share.bps).dividedBy(10_000);
          expect(exact.minus(part.minorUnits.toString()).abs().lessThan(1)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('rounds a fractional amount once, half-even, and still sums to that whole', () => {
    fc.assert(
      fc.property(sharesArbitrary, fc.integer({ min: 0, max: 10 ** 9 }), fc.integer({ min: 0, max: 9999 }), (shares, units, fraction) => {
        const amount = new Decimal(`${units}.${String(fraction).padStart(4, '0')}`);
        const whole = BigInt(amount.toDecimalPlaces(0, Decimal.ROUND_HALF_EVEN).toFixed(0));
        const parts = splitByShares(amount, shares);
        expect(parts.reduce((sum, p) => sum + p.minorUnits, 0n)).toBe(whole);
      }),
      { numRuns: 1000 },
    );
  });

  it('splits a worked example: 100 cents over 3333/3333/3334 bps', () => {
    const parts = splitByShares(new Decimal(100), [
      { holderId: 'b', bps: 3333 },
      { holderId: 'a', bps: 3333 },
      { holderId: 'c', bps: 3334 },
    ]);
    // exact: 33.33, 33.33, 33.34 → floors 33, 33, 33 and one unit left for the largest remainder (c).
    expect(parts).toEqual([
      { holderId: 'b', minorUnits: 33n },
      { holderId: 'a', minorUnits: 33n },
      { holderId: 'c', minorUnits: 34n },
    ]);
  });

  it('breaks ties by partner id', () => {
    const parts = splitByShares(new Decimal(1), [
      { holderId: 'z', bps: 5000 },
      { holderId: 'm', bps: 5000 },
    ]);
    expect(parts).toEqual([
      { holderId: 'z', minorUnits: 0n },
      { holderId: 'm', minorUnits: 1n },
    ]);
  });

  it('splits a negative amount as the mirror image of the positive one', () => {
    const shares = [
      { holderId: 'a', bps: 6000 },
      { holderId: 'b', bps: 4000 },
    ];
    expect(splitByShares(new Decimal(-7), shares)).toEqual(splitByShares(new Decimal(7), shares).map((p) => ({ ...p, minorUnits: -p.minorUnits })));
  });
});
