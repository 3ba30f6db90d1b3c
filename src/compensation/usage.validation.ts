import { createHash } from 'node:crypto';
import { BadInputError } from '../common/errors';
import { parseDecimal } from '../common/money';
import type { SubmitUsageReportInput } from './compensation.types';

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
    if (line.revenue !== null && line.revenue !== undefined && parseDecimal(line.revenue, `lines[${index}].revenue`).isNegative()) {
      throw new BadInputError(`lines[${index}].revenue: must not be negative`, { field: `lines[${index}].revenue`, index });
    }
  });
  return period;
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
