import type { EntityManager } from 'typeorm';
import type { StoredCompensation } from '../agreements/agreement.entity';
import { LedgerEntryKind } from './compensation.entity';
import { periodMonths } from './rating';

/**
 * Keeps the ledger at "the guarantee or the usage, whichever is more" for the guarantee period of
 * `month`: appends the difference between the top-up due now and the top-ups already written (up or
 * down), to the licensor. A period without any live report owes no top-up, so a report followed by its
 * reversal nets to zero. Only the guarantee's currency counts: an amendment can change the currency,
 * and amounts in another are not comparable (nor are the top-ups booked in it). Callers hold the
 * agreement row lock, so concurrent reports cannot both top up.
 */
export async function adjustMinimumGuarantee(
  manager: EntityManager,
  agreement: { id: string; licensorId: string; aiPartnerId: string; compensation: StoredCompensation },
  reportId: string,
  month: string,
): Promise<void> {
  const guarantee = agreement.compensation.minimumGuarantee;
  if (!guarantee) return;
  const months = periodMonths(guarantee.period, month);
  const { currency } = agreement.compensation;
  const [state] = (await manager.query(
    `SELECT COALESCE(sum(amount_minor) FILTER (WHERE kind <> 'MINIMUM_GUARANTEE'), 0)::text AS usage,
            COALESCE(sum(amount_minor) FILTER (WHERE kind = 'MINIMUM_GUARANTEE'), 0)::text AS topped_up,
            EXISTS (SELECT 1 FROM usage_report r WHERE r.agreement_id = $1 AND r.statement_period = ANY($2::text[])
                    AND r.currency = $3 AND r.reversed_at IS NULL) AS live
     FROM ledger_entry WHERE agreement_id = $1 AND statement_period = ANY($2::text[]) AND currency = $3`,
    [agreement.id, months, currency],
  )) as { usage: string; topped_up: string; live: boolean }[];
  const shortfall = BigInt(guarantee.amountMinor) - BigInt(state.usage);
  const due = state.live && shortfall > 0n ? shortfall : 0n;
  const delta = due - BigInt(state.topped_up);
  if (delta === 0n) return;
  await manager.query(
    `INSERT INTO ledger_entry (report_id, agreement_id, ai_partner_id, rightsholder_id, kind, statement_period, currency, amount_minor)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [reportId, agreement.id, agreement.aiPartnerId, agreement.licensorId, LedgerEntryKind.MINIMUM_GUARANTEE, month, currency, delta.toString()],
  );
}
