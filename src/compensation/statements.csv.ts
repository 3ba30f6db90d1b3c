import { stringify } from 'csv-stringify/sync';
import { formatMinorUnits } from '../common/money';
import { toGlobalId } from '../common/relay/global-id';
import type { StatementData } from './statements.service';

const COLUMNS = ['statement', 'partner_id', 'agreement_id', 'period', 'currency', 'isrc', 'title', 'use_type', 'entry_kind', 'units', 'amount'];

/** One line per work × use type (and adjustment), then a TOTAL line per statement: the GraphQL figures. */
export function statementsCsv(statements: StatementData[]): string {
  const rows: string[][] = [];
  for (const s of statements) {
    const head = [s.kind, toGlobalId('Partner', s.partnerId), s.agreementId ? toGlobalId('Agreement', s.agreementId) : '', s.period, s.currency];
    for (const line of s.lines) {
      rows.push([...head, line.isrc ?? '', line.title ?? '', line.useType ?? '', line.kind, line.units.toString(), formatMinorUnits(line.amountMinor, s.currency)]);
    }
    rows.push([...head, '', '', '', 'TOTAL', '', formatMinorUnits(s.totalMinor, s.currency)]);
  }
  return stringify(rows, { header: true, columns: COLUMNS });
}
