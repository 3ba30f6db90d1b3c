import type { EntityManager } from 'typeorm';
import type { NewLedgerEntry } from './rating';

/** Where rated entries are booked: the report they are attributed to, and its agreement, payer, month and currency. */
export interface LedgerAccount {
  reportId: string;
  agreementId: string;
  aiPartnerId: string;
  statementPeriod: string;
  currency: string;
}

/** Appends rated entries. Zero amounts (e.g. the lines of a FLAT_FEE report that bears no fee) are not written. */
export async function insertEntries(manager: EntityManager, account: LedgerAccount, entries: NewLedgerEntry[]): Promise<void> {
  const written = entries.filter((entry) => entry.amountMinor !== 0n);
  if (written.length === 0) return;
  await manager.query(
    `INSERT INTO ledger_entry (report_id, agreement_id, ai_partner_id, rightsholder_id, work_id, use_type, kind,
       statement_period, currency, units, amount_minor)
     SELECT $1, $2, $3, e.rightsholder_id, e.work_id, e.use_type, e.kind, $4, $5, e.units, e.amount_minor
     FROM jsonb_to_recordset($6::jsonb) AS e(rightsholder_id uuid, work_id uuid, use_type text, kind text, units bigint, amount_minor bigint)`,
    [
      account.reportId,
      account.agreementId,
      account.aiPartnerId,
      account.statementPeriod,
      account.currency,
      JSON.stringify(
        written.map((e) => ({
          rightsholder_id: e.rightsholderId,
          work_id: e.workId,
          use_type: e.useType,
          kind: e.kind,
          units: e.units.toString(),
          amount_minor: e.amountMinor.toString(),
        })),
      ),
    ],
  );
}
