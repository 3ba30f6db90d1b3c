import { monthlyFee, rate, type PayableLine } from './rating';

const solo = [{ holderId: 'label-1', bps: 10_000 }];
const coOwned = [
  { holderId: 'label-1', bps: 6000 },
  { holderId: 'label-2', bps: 4000 },
];
const line = (workId: string, units: number, shares = solo, revenueMinor: bigint | null = null): PayableLine => ({
  workId,
  useType: 'TRAINING',
  units: BigInt(units),
  revenueMinor,
  shares,
});
const amounts = (entries: ReturnType<typeof rate>) => entries.map((e) => [e.rightsholderId, e.workId, e.amountMinor]);

describe('rating', () => {
  it('PER_USE in EUR: units × exact rate, a co-owned work split by largest remainder', () => {
    const entries = rate([line('A', 1000), line('B', 333, coOwned)], { model: 'PER_USE', currency: 'EUR', ratePerUnit: '0.0125' }, 'label-1', null);
    // A: 1000 × 0.0125 EUR = 12.50 EUR. B: 333 × 0.0125 = 4.1625 EUR = 416.25 cents → 416, exact parts
    // 249.75 and 166.5 → floors 249 + 166, the left-over cent to the larger remainder (label-1).
    expect(amounts(entries)).toEqual([
      ['label-1', 'A', 1250n],
      ['label-1', 'B', 250n],
      ['label-2', 'B', 166n],
    ]);
    expect(entries.map((e) => e.units)).toEqual([1000n, 333n, 333n]);
  });

  it('PER_USE adds up lines of the same work and use before rating', () => {
    const entries = rate([line('A', 1), line('A', 1), line('A', 1)], { model: 'PER_USE', currency: 'EUR', ratePerUnit: '0.005' }, 'label-1', null);
    // 3 × 0.5 cent = 1.5 cents, rounded once (half-even) to 2, not three times to 0 or 1.
    expect(amounts(entries)).toEqual([['label-1', 'A', 2n]]);
  });

  it('PER_USE in JPY (0 decimals) and KWD (3 decimals)', () => {
    expect(amounts(rate([line('A', 3)], { model: 'PER_USE', currency: 'JPY', ratePerUnit: '0.5' }, 'label-1', null))).toEqual([['label-1', 'A', 2n]]);
    // 7 × 0.0125 KWD = 0.0875 KWD = 87.5 fils → 88 (half to even).
    expect(amounts(rate([line('A', 7)], { model: 'PER_USE', currency: 'KWD', ratePerUnit: '0.0125' }, 'label-1', null))).toEqual([['label-1', 'A', 88n]]);
  });

  it('REVENUE_SHARE: revenue × bps, split by share', () => {
    const entries = rate([line('B', 10, coOwned, 100_000n)], { model: 'REVENUE_SHARE', currency: 'EUR', bps: 1500 }, 'label-1', null);
    // 15% of 1000.00 EUR = 150.00 EUR: 90.00 and 60.00.
    expect(amounts(entries)).toEqual([
      ['label-1', 'B', 9000n],
      ['label-2', 'B', 6000n],
    ]);
  });

  it("FLAT_FEE: a quarter's fee for one month, allocated by units over every work and share, paid to the unit", () => {
    const fee = monthlyFee('500000', 'QUARTER', '2026-01');
    const entries = rate([line('A', 1), line('B', 2, coOwned)], { model: 'FLAT_FEE', currency: 'EUR', amountMinor: '500000', period: 'QUARTER' }, 'label-1', fee);
    // 5000.00 EUR a quarter: 1666.67, 1666.67, 1666.66 EUR; January's 166667 cents, by weights 1×10000,
    // 2×6000, 2×4000 give exact 55555.56, 66666.67, 44444.44 → 55556, 66667, 44444.
    expect(amounts(entries)).toEqual([
      ['label-1', 'A', 55556n],
      ['label-1', 'B', 66667n],
      ['label-2', 'B', 44444n],
    ]);
    expect(entries.reduce((sum, e) => sum + e.amountMinor, 0n)).toBe(166667n);
  });

  it('FLAT_FEE with no use this month is still owed to the licensor; a report that does not bear the fee pays nothing', () => {
    const compensation = { model: 'FLAT_FEE' as const, currency: 'EUR', amountMinor: '120000', period: 'YEAR' as const };
    expect(amounts(rate([], compensation, 'label-1', monthlyFee('120000', 'YEAR', '2026-07')))).toEqual([['label-1', null, 10000n]]);
    expect(rate([line('A', 5)], compensation, 'label-1', null).map((e) => e.amountMinor)).toEqual([0n]);
  });

  it("FLAT_FEE: a period's months add up to its fee exactly, the units left over on its first months", () => {
    const months = (amountMinor: string, period: 'QUARTER' | 'YEAR', list: string[]) => list.map((month) => monthlyFee(amountMinor, period, month).toNumber());
    const quarter = ['2026-04', '2026-05', '2026-06'];
    const year = Array.from({ length: 12 }, (_, i) => `2026-${String(i + 1).padStart(2, '0')}`);
    expect(months('10000', 'QUARTER', quarter)).toEqual([3334, 3333, 3333]);
    expect(months('20000', 'QUARTER', quarter)).toEqual([6667, 6667, 6666]);
    expect(months('100000', 'YEAR', year).reduce((sum, fee) => sum + fee, 0)).toBe(100000);
    expect(months('1000', 'YEAR', year)).toEqual([84, 84, 84, 84, 83, 83, 83, 83, 83, 83, 83, 83]);
  });
});
