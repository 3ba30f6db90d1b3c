import type { EntityManager } from 'typeorm';
import { CompensationModel, type StoredCompensation } from '../agreements/agreement.entity';
import { Decimal } from '../common/money';
import { LedgerEntryKind } from './compensation.entity';
import { insertEntries } from './ledger';
import { monthlyFee, rate, type NewLedgerEntry, type PayableLine } from './rating';
import type { Share } from './split';

/*
 * FLAT_FEE: while an agreement has a live report in a month, exactly one live report bears the month's
 * fee; with none live the month owes nothing (as for the minimum guarantee). The ledger says which one:
 * the live report whose FLAT_FEE entries net to non-zero. Callers hold the agreement row lock, so two
 * submissions cannot both take the fee, nor a reversal race a submission.
 */

/** The fee a new report of `month` bears: the month's fee, unless a live report already bears it. */
export async function flatFeeDue(
  manager: EntityManager,
  agreement: { id: string; compensation: StoredCompensation },
  month: string,
): Promise<Decimal | null> {
  const { compensation } = agreement;
  if (compensation.model !== CompensationModel.FLAT_FEE) return null;
  const [{ borne }] = (await manager.query(
    `SELECT EXISTS (
       SELECT 1 FROM ledger_entry e JOIN usage_report r ON r.id = e.report_id
       WHERE e.agreement_id = $1 AND e.statement_period = $2 AND e.kind = $3 AND r.reversed_at IS NULL
       GROUP BY e.report_id HAVING sum(e.amount_minor) <> 0
     ) AS borne`,
    [agreement.id, month, LedgerEntryKind.FLAT_FEE],
  )) as { borne: boolean }[];
  return borne ? null : monthlyFee(compensation.amountMinor!, compensation.period!, month);
}

/**
 * Once `reversed` is reversed: the fee it bore (its FLAT_FEE entries just reversed, negated) moves to
 * the month's earliest remaining live report. The exact amount moves, not the fee re-derived from the
 * terms, so the month's total is unchanged and nothing is rounded twice. Returns the entries booked.
 */
export async function moveFlatFee(
  manager: EntityManager,
  reversed: { id: string; agreementId: string; licensorId: string; statementPeriod: string; currency: string },
): Promise<NewLedgerEntry[]> {
  const [{ fee }] = (await manager.query(
    `SELECT COALESCE(-sum(amount_minor), 0)::text AS fee FROM ledger_entry
     WHERE report_id = $1 AND kind = $2 AND reverses_entry_id IS NOT NULL`,
    [reversed.id, LedgerEntryKind.FLAT_FEE],
  )) as { fee: string }[];
  if (BigInt(fee) === 0n) return [];
  const [heir] = (await manager.query(
    `SELECT id, ai_partner_id FROM usage_report
     WHERE agreement_id = $1 AND statement_period = $2 AND reversed_at IS NULL
     ORDER BY created_at, id LIMIT 1`,
    [reversed.agreementId, reversed.statementPeriod],
  )) as { id: string; ai_partner_id: string }[];
  if (!heir) return [];
  // Rated as the fee it is, in the currency it was booked in, whatever terms are in force now.
  const entries = rate(
    await payableLines(manager, heir.id),
    { model: CompensationModel.FLAT_FEE, currency: reversed.currency },
    reversed.licensorId,
    new Decimal(fee),
  );
  await insertEntries(
    manager,
    { reportId: heir.id, agreementId: reversed.agreementId, aiPartnerId: heir.ai_partner_id, statementPeriod: reversed.statementPeriod, currency: reversed.currency },
    entries,
  );
  return entries;
}

/**
 * A report's allowed lines with their works' current right_share rows, read as submit reads them
 * (resolveLines): the shares in force when the fee moves, which may differ from those at submission.
 */
async function payableLines(manager: EntityManager, reportId: string): Promise<PayableLine[]> {
  const rows = (await manager.query(
    `SELECT l.work_id, l.use_type, l.units::text AS units,
            json_agg(json_build_object('holderId', rs.label_id, 'bps', rs.share_bps) ORDER BY rs.label_id) AS shares
     FROM usage_line l JOIN right_share rs ON rs.work_id = l.work_id
     WHERE l.report_id = $1 AND cardinality(l.violation_reasons) = 0
     GROUP BY l.report_id, l.line_number
     ORDER BY l.line_number`,
    [reportId],
  )) as { work_id: string; use_type: string; units: string; shares: Share[] }[];
  // A flat fee is allocated by units, never by revenue.
  return rows.map((row) => ({ workId: row.work_id, useType: row.use_type, units: BigInt(row.units), revenueMinor: null, shares: row.shares }));
}
