import type { DataSource } from 'typeorm';
import { isInternal, labelsActedFor, type Viewer } from '../auth/viewer';
import { BadInputError } from '../common/errors';
import { idOf } from '../common/relay/global-id';
import { MandatePermission } from '../partners/mandate.entity';
import { PartnerType } from '../partners/partner.entity';
import type { LedgerEntryKind } from './compensation.entity';
import { StatementKind } from './compensation.types';
import { endOfMonth } from './usage.validation';

export interface StatementLineData {
  isrc: string | null;
  title: string | null;
  useType: string | null;
  kind: LedgerEntryKind;
  units: bigint;
  amountMinor: bigint;
}

export interface StatementData {
  kind: StatementKind;
  /** The rights holder (RECEIVABLE) or the AI partner (PAYABLE). */
  partnerId: string;
  agreementId: string | null;
  period: string;
  currency: string;
  issued: boolean;
  totalMinor: bigint;
  lines: StatementLineData[];
}

export interface StatementFilter {
  kind?: StatementKind | null;
  /** Global id of the rights holder or AI partner. */
  partner?: string | null;
  /** Global id of the agreement (PAYABLE). */
  agreement?: string | null;
}

interface GroupRow {
  partner_id: string;
  agreement_id: string | null;
  isrc: string | null;
  title: string | null;
  use_type: string | null;
  kind: LedgerEntryKind;
  units: string;
  amount: string;
}

const PERIOD = /^[0-9]{4}-(0[1-9]|1[0-2])$/;

/**
 * Statements are derived from the ledger, never stored: per rights holder × period × currency
 * (RECEIVABLE), and per AI partner × agreement × period × currency (PAYABLE, without the split between
 * rights holders). Lines are per work × use type × kind of entry, reversals netted in.
 */
export class StatementsService {
  constructor(private readonly dataSource: DataSource) {}

  async statements(viewer: Viewer, period: string, currency: string, filter: StatementFilter = {}): Promise<StatementData[]> {
    if (!PERIOD.test(period)) throw new BadInputError(`period: "${period}" is not a month (YYYY-MM)`, { field: 'period' });
    const partnerId = filter.partner ? idOf('Partner', filter.partner, 'partner') : null;
    const agreementId = filter.agreement ? idOf('Agreement', filter.agreement, 'agreement') : null;
    const issued = new Date() >= endOfMonth(period);
    const wanted = (kind: StatementKind) => !filter.kind || filter.kind === kind;
    const receivable = wanted(StatementKind.RECEIVABLE) && !agreementId ? await this.receivable(viewer, period, currency, partnerId) : [];
    const payable = wanted(StatementKind.PAYABLE) ? await this.payable(viewer, period, currency, partnerId, agreementId) : [];
    return [
      ...group(receivable, StatementKind.RECEIVABLE, period, currency, issued),
      ...group(payable, StatementKind.PAYABLE, period, currency, issued),
    ];
  }

  private async receivable(viewer: Viewer, period: string, currency: string, partnerId: string | null): Promise<GroupRow[]> {
    if (viewer.type === PartnerType.AI_PARTNER) return [];
    const params: unknown[] = [period, currency];
    const conditions = ['e.statement_period = $1', 'e.currency = $2'];
    if (!isInternal(viewer)) {
      params.push(labelsActedFor(viewer, MandatePermission.READ_CATALOG));
      conditions.push(`e.rightsholder_id = ANY($${params.length}::uuid[])`);
    }
    if (partnerId) {
      params.push(partnerId);
      conditions.push(`e.rightsholder_id = $${params.length}`);
    }
    return this.dataSource.query(
      `SELECT e.rightsholder_id AS partner_id, NULL::uuid AS agreement_id, w.isrc, w.title, e.use_type, e.kind,
              sum(e.units)::text AS units, sum(e.amount_minor)::text AS amount
       FROM ledger_entry e LEFT JOIN work w ON w.id = e.work_id
       WHERE ${conditions.join(' AND ')}
       GROUP BY e.rightsholder_id, w.isrc, w.title, e.use_type, e.kind
       ORDER BY e.rightsholder_id, w.isrc NULLS LAST, e.use_type, e.kind`,
      params,
    );
  }

  private async payable(
    viewer: Viewer,
    period: string,
    currency: string,
    partnerId: string | null,
    agreementId: string | null,
  ): Promise<GroupRow[]> {
    if (viewer.type !== PartnerType.AI_PARTNER && !isInternal(viewer)) return [];
    const params: unknown[] = [period, currency];
    const conditions = ['e.statement_period = $1', 'e.currency = $2'];
    if (!isInternal(viewer)) {
      params.push(viewer.partnerId);
      conditions.push(`e.ai_partner_id = $${params.length}`);
    }
    if (partnerId) {
      params.push(partnerId);
      conditions.push(`e.ai_partner_id = $${params.length}`);
    }
    if (agreementId) {
      params.push(agreementId);
      conditions.push(`e.agreement_id = $${params.length}`);
    }
    // Every rights holder's entry carries the units of its (work, use); count them once per report.
    return this.dataSource.query(
      `WITH e AS (
         SELECT e.*, row_number() OVER (PARTITION BY e.report_id, e.work_id, e.use_type, e.kind, e.reverses_entry_id IS NULL ORDER BY e.id) AS nth
         FROM ledger_entry e WHERE ${conditions.join(' AND ')}
       )
       SELECT e.ai_partner_id AS partner_id, e.agreement_id, w.isrc, w.title, e.use_type, e.kind,
              (sum(e.units) FILTER (WHERE e.nth = 1))::text AS units, sum(e.amount_minor)::text AS amount
       FROM e LEFT JOIN work w ON w.id = e.work_id
       GROUP BY e.ai_partner_id, e.agreement_id, w.isrc, w.title, e.use_type, e.kind
       ORDER BY e.ai_partner_id, e.agreement_id, w.isrc NULLS LAST, e.use_type, e.kind`,
      params,
    );
  }
}

function group(rows: GroupRow[], kind: StatementKind, period: string, currency: string, issued: boolean): StatementData[] {
  const statements = new Map<string, StatementData>();
  for (const row of rows) {
    const key = `${row.partner_id}|${row.agreement_id ?? ''}`;
    let statement = statements.get(key);
    if (!statement) {
      statement = { kind, partnerId: row.partner_id, agreementId: row.agreement_id, period, currency, issued, totalMinor: 0n, lines: [] };
      statements.set(key, statement);
    }
    const amountMinor = BigInt(row.amount);
    statement.totalMinor += amountMinor;
    statement.lines.push({ isrc: row.isrc, title: row.title, useType: row.use_type, kind: row.kind, units: BigInt(row.units ?? '0'), amountMinor });
  }
  return [...statements.values()];
}
