import { createHash } from 'node:crypto';
import { CompensationModel, type StoredCompensation } from '../agreements/agreement.entity';
import { BadInputError } from '../common/errors';
import { Decimal, exceedsMaxAmount, formatMinorUnits, inMinorUnits, MAX_AMOUNT_MINOR, parseDecimal, toMinorUnits } from '../common/money';
import type { SubmitUsageReportInput, UsageLineInput } from './compensation.types';

export const MAX_LINES_PER_REPORT = 50_000;

/** "YYYY-MM" of an instant, in UTC. */
export function monthOf(instant: Date): string {
  return instant.toISOString().slice(0, 7);
}

/** The first instant of the month after `period` ("YYYY-MM"): when that month's statement is issued. */
export function endOfMonth(period: string): Date {
  const [year, month] = period.split('-').map(Number);
  return new Date(Date.UTC(year, month, 1));
}

/** Everything that needs no database; returns the statement period. */
export function validateReport(input: SubmitUsageReportInput): string {
  const lines = input.lines.length;
  if (lines === 0) throw new BadInputError('lines: a report has at least one line', { field: 'lines' });
  if (lines > MAX_LINES_PER_REPORT) {
    throw new BadInputError(`lines: at most ${MAX_LINES_PER_REPORT} lines per report, got ${lines}`, {
      field: 'lines',
      maximum: MAX_LINES_PER_REPORT,
    });
  }
  const key = input.idempotencyKey.trim();
  if (!key || key.length > 200) throw new BadInputError('idempotencyKey: 1 to 200 characters', { field: 'idempotencyKey' });
  if (input.periodEnd <= input.periodStart) throw new BadInputError('periodEnd must be after periodStart', { field: 'periodEnd' });
  const period = monthOf(input.periodStart);
  if (input.periodEnd > endOfMonth(period)) {
    throw new BadInputError(`periodEnd: a report covers one calendar month (UTC); this one starts in ${period}`, {
      field: 'periodEnd',
    });
  }
  input.lines.forEach((line, index) => {
    if (!Number.isInteger(line.units) || line.units < 0) {
      throw new BadInputError(`lines[${index}].units: must be a non-negative integer`, { field: `lines[${index}].units`, index });
    }
    // lessThan, not isNegative: "-0" is zero.
    if (line.revenue !== null && line.revenue !== undefined && parseDecimal(line.revenue, `lines[${index}].revenue`).lessThan(0)) {
      throw new BadInputError(`lines[${index}].revenue: must not be negative`, { field: `lines[${index}].revenue`, index });
    }
  });
  return period;
}

/**
 * What each line pays under the agreement, exact, and what the lines pay together: neither may exceed
 * MAX_AMOUNT_MINOR (see money.ts), nor may any line's revenue, so that nothing the report writes can
 * overflow the ledger's bigint columns. Checked before anything is written. A FLAT_FEE line pays nothing
 * by itself: the month's fee and any minimum guarantee are bounded with the agreement's terms. Returns
 * each line's revenue in minor units (null where none is given), parsed here once for the whole report.
 */
export function validateReportAmounts(lines: readonly UsageLineInput[], compensation: StoredCompensation): (bigint | null)[] {
  const { currency } = compensation;
  // Every model stores the revenue given; REVENUE_SHARE without one is refused with the line's work.
  const revenues = lines.map((line, index) =>
    line.revenue ? toMinorUnits(line.revenue, currency, `lines[${index}].revenue`, { index }) : null,
  );
  const total = linesAmount(lines, revenues, compensation);
  if (exceedsMaxAmount(total)) {
    const maximum = formatMinorUnits(MAX_AMOUNT_MINOR, currency);
    const comesTo = formatMinorUnits(total.toFixed(), currency);
    throw new BadInputError(`lines: the lines come to ${comesTo} ${currency}; a report pays at most ${maximum} ${currency}`, {
      field: 'lines',
      maximum,
    });
  }
  return revenues;
}

/** What the lines pay together, in minor units, exact (a PER_USE line may come to a fraction of a cent). */
function linesAmount(lines: readonly UsageLineInput[], revenues: readonly (bigint | null)[], compensation: StoredCompensation): Decimal {
  switch (compensation.model) {
    case CompensationModel.PER_USE: {
      const rate = inMinorUnits(new Decimal(compensation.ratePerUnit!), compensation.currency);
      lines.forEach((line, index) => checkPerUseLine(rate.times(line.units), line, index, compensation));
      return rate.times(lines.reduce((units, line) => units + BigInt(line.units), 0n).toString());
    }
    case CompensationModel.REVENUE_SHARE: {
      const revenue = revenues.reduce<bigint>((sum, minor) => sum + (minor ?? 0n), 0n);
      return new Decimal(revenue.toString()).times(compensation.bps!).dividedBy(10_000);
    }
    case CompensationModel.FLAT_FEE:
      return new Decimal(0);
    default: {
      const unknown: never = compensation.model;
      throw new Error(`no amount for ${String(unknown)}`);
    }
  }
}

function checkPerUseLine(amount: Decimal, line: UsageLineInput, index: number, { currency, ratePerUnit }: StoredCompensation): void {
  if (!exceedsMaxAmount(amount)) return;
  const field = `lines[${index}].units`;
  const maximum = formatMinorUnits(MAX_AMOUNT_MINOR, currency);
  const comesTo = formatMinorUnits(amount.toFixed(), currency);
  throw new BadInputError(`${field}: ${line.units} × ${ratePerUnit} ${currency} is ${comesTo} ${currency}; a line pays at most ${maximum} ${currency}`, {
    field,
    index,
    maximum,
  });
}

/** sha-256 of the payload in canonical form: what "the same report" means for an idempotency key. */
export function payloadDigest(input: SubmitUsageReportInput): string {
  const canonical = {
    agreementId: input.agreementId,
    periodStart: input.periodStart.toISOString(),
    periodEnd: input.periodEnd.toISOString(),
    territory: input.territory,
    lines: input.lines.map((line) => [
      line.isrc,
      line.useType,
      line.units,
      line.revenue ? parseDecimal(line.revenue, 'revenue').toFixed() : null,
      line.decisionId ?? null,
    ]),
  };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}
