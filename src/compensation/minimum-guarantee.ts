import type { EntityManager } from 'typeorm';
import { BillingPeriod, type StoredCompensation } from '../agreements/agreement.entity';
import { LedgerEntryKind } from './compensation.entity';

/** The statement months ("YYYY-MM") that make up the guarantee period containing `month`. */
export function guaranteeMonths(period: BillingPeriod, month: string): string[] {
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
 * Keeps the ledger at "the guarantee or the usage, whichever is more" for the guarantee period of
 * `month`: appends the difference between the top-up due now and the top-ups already written (up or
 * down), to the licensor. A period without any live report owes no top-up, so a report followed by its
 * reversal nets to zero. Callers hold the agreement row lock, so concurrent reports cannot both top up.
 */
export async function adjustMinimumGuarantee(
  manager: EntityManager,
  agreement: { id: string; licensorId: string; aiPartnerId: string; compensation: StoredCompensation },
  reportId: string,
  month: string,
): Promise<void> {
  const guarantee = agreement.compensation.minimumGuarantee;
  if (!guarantee) return;
  const months = guaranteeMonths(guarantee.period, month);
  const [state] = (await manager.query(
    `SELECT COALESCE(sum(amount_minor) FILTER (WHERE kind <> 'MINIMUM_GUARANTEE'), 0)::text AS usage,
            COALESCE(sum(amount_minor) FILTER (WHERE kind = 'MINIMUM_GUARANTEE'), 0)::text AS topped_up,
            EXISTS (SELECT 1 FROM usage_report r WHERE r.agreement_id = $1 AND r.statement_period = ANY($2::text[])
                    AND r.reversed_at IS NULL) AS live
     FROM ledger_entry WHERE agreement_id = $1 AND statement_period = ANY($2::text[])`,
    [agreement.id, months],
  )) as { usage: string; topped_up: string; live: boolean }[];
  const shortfall = BigInt(guarantee.amountMinor) - BigInt(state.usage);
  const due = state.live && shortfall > 0n ? shortfall : 0n;
  const delta = due - BigInt(state.topped_up);
  if (delta === 0n) return;
  await manager.query(
    `INSERT INTO ledger_entry (report_id, agreement_id, ai_partner_id, rightsholder_id, kind, statement_period, currency, amount_minor)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [reportId, agreement.id, agreement.aiPartnerId, agreement.licensorId, LedgerEntryKind.MINIMUM_GUARANTEE, month, agreement.compensation.currency, delta.toString()],
  );
}
