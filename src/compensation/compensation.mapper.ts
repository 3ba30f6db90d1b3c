import { formatMinorUnits } from '../common/money';
import { toGlobalId } from '../common/relay/global-id';
import type { UseType } from '../common/use-type';
import { Statement, StatementLine, UsageReport, UsageViolation } from './compensation.types';
import type { StatementData } from './statements.service';
import type { UsageReportRow, ViolationRow } from './usage.service';

function money(minor: bigint | string, currency: string) {
  return { amount: formatMinorUnits(minor, currency), minorUnits: minor.toString(), currency };
}

export function toUsageReport(row: UsageReportRow): UsageReport {
  return Object.assign(new UsageReport(), {
    id: toGlobalId('UsageReport', row.id),
    reportId: row.id,
    aiPartnerId: row.ai_partner_id,
    agreementId: row.agreement_id,
    licensorId: row.licensor_id,
    periodStart: row.period_start,
    periodEnd: row.period_end,
    statementPeriod: row.statement_period,
    territory: row.territory,
    idempotencyKey: row.idempotency_key,
    lineCount: row.line_count,
    violationCount: row.violation_count,
    total: money(row.total_minor, row.currency),
    reversedAt: row.reversed_at,
    createdAt: row.created_at,
  });
}

export function toViolation(row: ViolationRow): UsageViolation {
  return Object.assign(new UsageViolation(), {
    lineNumber: row.line_number,
    isrc: row.isrc,
    useType: row.use_type as UseType,
    units: row.units,
    reasons: row.violation_reasons,
  });
}

export function csvPathOf(statement: StatementData): string {
  const query = new URLSearchParams({
    period: statement.period,
    currency: statement.currency,
    kind: statement.kind,
    partner: toGlobalId('Partner', statement.partnerId),
    ...(statement.agreementId ? { agreement: toGlobalId('Agreement', statement.agreementId) } : {}),
  });
  return `/statements.csv?${query.toString()}`;
}

export function toStatement(data: StatementData): Statement {
  return Object.assign(new Statement(), {
    partnerId: data.partnerId,
    agreementId: data.agreementId,
    kind: data.kind,
    period: data.period,
    currency: data.currency,
    issued: data.issued,
    total: money(data.totalMinor, data.currency),
    lines: data.lines.map((line) =>
      Object.assign(new StatementLine(), {
        isrc: line.isrc,
        title: line.title,
        useType: line.useType as UseType | null,
        kind: line.kind,
        units: line.units.toString(),
        amount: money(line.amountMinor, data.currency),
      }),
    ),
    csvPath: csvPathOf(data),
  });
}
