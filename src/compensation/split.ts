import { Decimal } from '../common/money';

export interface Share {
  holderId: string;
  bps: number;
}

export interface Part {
  holderId: string;
  minorUnits: bigint;
}

export interface Weighted {
  /** Orders ties: the lower key gets the leftover unit first (a partner id, or starts with one). */
  key: string;
  weight: bigint;
}

/**
 * The largest remainder method, the one rounding of the money path: an exact amount of minor units
 * (possibly fractional, e.g. 3.75 cents) is shared by weight. The whole is the amount rounded
 * half-even; each part is its exact share rounded down, and the units left over go to the largest
 * remainders (ties to the lower key). Parts always sum to the whole, and no part is a whole minor unit
 * or more away from its exact share.
 */
export function allocate(amount: Decimal, weights: readonly Weighted[]): bigint[] {
  const total = weights.reduce((sum, w) => sum + w.weight, 0n);
  if (total <= 0n) throw new Error('allocation needs a positive total weight');
  const negative = amount.isNegative();
  const magnitude = amount.abs();
  const whole = magnitude.toDecimalPlaces(0, Decimal.ROUND_HALF_EVEN);
  const exact = weights.map((w) => magnitude.times(w.weight.toString()).dividedBy(total.toString()));
  const floors = exact.map((value) => value.floor());
  let left = BigInt(whole.minus(floors.reduce((sum, f) => sum.plus(f), new Decimal(0))).toFixed(0));
  const order = weights
    .map((w, index) => ({ index, key: w.key, remainder: exact[index].minus(floors[index]) }))
    .sort((a, b) => b.remainder.comparedTo(a.remainder) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const parts = floors.map((floor) => BigInt(floor.toFixed(0)));
  for (const { index } of order) {
    if (left <= 0n) break;
    parts[index] += 1n;
    left -= 1n;
  }
  return negative ? parts.map((part) => -part) : parts;
}

/** Splits an amount over a work's rights holders, whose shares sum to 10000 bps. */
export function splitByShares(amount: Decimal, shares: readonly Share[]): Part[] {
  const bps = shares.reduce((sum, share) => sum + share.bps, 0);
  if (bps !== 10_000) throw new Error(`shares sum to ${bps} bps, not 10000`);
  const parts = allocate(
    amount,
    shares.map((share) => ({ key: share.holderId, weight: BigInt(share.bps) })),
  );
  return shares.map((share, index) => ({ holderId: share.holderId, minorUnits: parts[index] }));
}
