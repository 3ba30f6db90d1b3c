import { BillingPeriod, CompensationModel, type StoredCompensation } from '../agreements/agreement.entity';
import { Decimal, minorUnitDigits } from '../common/money';
import { LedgerEntryKind } from './compensation.entity';
import { allocate, splitByShares, type Share } from './split';

/** A reported line that the decision rule allows, with the shares of its work. */
export interface PayableLine {
  workId: string;
  useType: string;
  units: bigint;
  revenueMinor: bigint | null;
  shares: readonly Share[];
}

/** Each rights holder's entry carries the units of its (work, use): what that holder was paid for. */
export interface NewLedgerEntry {
  rightsholderId: string;
  workId: string | null;
  useType: string | null;
  kind: LedgerEntryKind;
  units: bigint;
  amountMinor: bigint;
}

/** The statement months ("YYYY-MM") that make up the billing period (fee, guarantee) containing `month`. */
export function periodMonths(period: BillingPeriod, month: string): string[] {
  const [year, m] = month.split('-').map(Number);
  const label = (n: number) => `${year}-${String(n).padStart(2, '0')}`;
  if (period === BillingPeriod.MONTH) return [month];
  if (period === BillingPeriod.QUARTER) {
    const first = Math.floor((m - 1) / 3) * 3 + 1;
    return [first, first + 1, first + 2].map(label);
  }
  return Array.from({ length: 12 }, (_, i) => label(i + 1));
}

/**
 * The part of a periodic fee that falls on `month`, in whole minor units: the fee divided among the
 * period's months, the units left over going to its first months, so that the months add up to the fee
 * exactly (a quarterly 100.00 is 33.34, 33.33, 33.33; rounding each month's third would lose a cent).
 */
export function monthlyFee(amountMinor: string, period: BillingPeriod, month: string): Decimal {
  const fee = BigInt(amountMinor);
  const months = periodMonths(period, month);
  const count = BigInt(months.length);
  const extra = BigInt(months.indexOf(month)) < fee % count ? 1n : 0n;
  return new Decimal((fee / count + extra).toString());
}

interface Group {
  workId: string;
  useType: string;
  units: bigint;
  revenueMinor: bigint;
  shares: readonly Share[];
}

function groupByWorkAndUse(lines: readonly PayableLine[]): Group[] {
  const groups = new Map<string, Group>();
  for (const line of lines) {
    const key = `${line.workId}|${line.useType}`;
    const group = groups.get(key) ?? { workId: line.workId, useType: line.useType, units: 0n, revenueMinor: 0n, shares: line.shares };
    group.units += line.units;
    group.revenueMinor += line.revenueMinor ?? 0n;
    groups.set(key, group);
  }
  return [...groups.values()];
}

function entriesOf(group: Group, kind: LedgerEntryKind, exact: Decimal): NewLedgerEntry[] {
  return splitByShares(exact, group.shares).map((part) => ({
    rightsholderId: part.holderId,
    workId: group.workId,
    useType: group.useType,
    kind,
    units: group.units,
    amountMinor: part.minorUnits,
  }));
}

/**
 * Rates a report's payable lines under the agreement's model, as exact decimals of minor units, then
 * splits each (work, use) amount over the work's rights holders: the only rounding. `flatFeeDue` is the
 * month's fee, or the part of it being moved, when this report bears it (flat-fee.ts), else null.
 */
export function rate(
  lines: readonly PayableLine[],
  compensation: StoredCompensation,
  licensorId: string,
  flatFeeDue: Decimal | null,
): NewLedgerEntry[] {
  const groups = groupByWorkAndUse(lines);
  const scale = new Decimal(10).pow(minorUnitDigits(compensation.currency)!);
  switch (compensation.model) {
    case CompensationModel.PER_USE: {
      const rate = new Decimal(compensation.ratePerUnit!).times(scale);
      return groups.flatMap((g) => entriesOf(g, LedgerEntryKind.USAGE, rate.times(g.units.toString())));
    }
    case CompensationModel.REVENUE_SHARE: {
      const bps = new Decimal(compensation.bps!);
      return groups.flatMap((g) => entriesOf(g, LedgerEntryKind.USAGE, bps.times(g.revenueMinor.toString()).dividedBy(10_000)));
    }
    case CompensationModel.FLAT_FEE: {
      if (!flatFeeDue) return groups.flatMap((g) => entriesOf(g, LedgerEntryKind.FLAT_FEE, new Decimal(0)));
      const totalUnits = groups.reduce((sum, g) => sum + g.units, 0n);
      if (totalUnits === 0n) {
        // No work used this month: the fee is still owed, to the licensor.
        const [part] = splitByShares(flatFeeDue, [{ holderId: licensorId, bps: 10_000 }]);
        return [{ rightsholderId: licensorId, workId: null, useType: null, kind: LedgerEntryKind.FLAT_FEE, units: 0n, amountMinor: part.minorUnits }];
      }
      // One allocation over every (work, use, rights holder) weighted by units × share: the fee is
      // rounded once and paid out to the unit.
      const cells = groups.flatMap((g) => g.shares.map((share) => ({ group: g, share })));
      const parts = allocate(
        flatFeeDue,
        cells.map((c) => ({ key: `${c.share.holderId}|${c.group.workId}|${c.group.useType}`, weight: c.group.units * BigInt(c.share.bps) })),
      );
      return cells.map((c, i) => ({
        rightsholderId: c.share.holderId,
        workId: c.group.workId,
        useType: c.group.useType,
        kind: LedgerEntryKind.FLAT_FEE,
        units: c.group.units,
        amountMinor: parts[i],
      }));
    }
    default: {
      const unknown: never = compensation.model;
      throw new Error(`no rating for ${String(unknown)}`);
    }
  }
}
