import type { EntityManager } from 'typeorm';
import { BadInputError } from '../common/errors';
import { exceedsMaxAmount, formatMinorUnits, inMinorUnits, MAX_AMOUNT_MINOR, minorUnitDigits, parseDecimal, toMinorUnits } from '../common/money';
import { WORLD } from '../common/scalars/territory';
import { CatalogScope, CompensationModel, type StoredCompensation } from './agreement.entity';
import type { AgreementTermsInput, CompensationInput } from './agreements.types';

/** Terms checked and in stored form, with the selected works resolved to ids. */
export interface ValidTerms {
  useTypes: string[];
  territories: string[];
  excludedTerritories: string[];
  startsAt: Date;
  endsAt: Date | null;
  catalogScope: CatalogScope;
  selectedWorkIds: string[];
  compensation: StoredCompensation;
}

const MAX_RATE_DECIMALS = 12;
const MAX_SELECTED_WORKS = 10_000;

function bad(field: string, message: string): never {
  throw new BadInputError(`${field}: ${message}`, { field });
}

function unexpected(input: CompensationInput, model: string, fields: (keyof CompensationInput)[]): void {
  for (const field of fields) {
    if (input[field] !== null && input[field] !== undefined) {
      bad(`terms.compensation.${field}`, `does not apply to ${model}`);
    }
  }
}

export function validateCompensation(input: CompensationInput): StoredCompensation {
  const { model, currency } = input;
  const field = (name: string) => `terms.compensation.${name}`;
  const minimumGuarantee = input.minimumGuarantee
    ? {
        amountMinor: toMinorUnits(input.minimumGuarantee.amount, currency, field('minimumGuarantee.amount')).toString(),
        period: input.minimumGuarantee.period,
      }
    : null;
  switch (model) {
    case CompensationModel.FLAT_FEE: {
      unexpected(input, model, ['ratePerUnit', 'bps']);
      if (!input.fee) bad(field('fee'), 'FLAT_FEE needs a fee');
      if (!input.period) bad(field('period'), 'FLAT_FEE needs a period');
      return { model, currency, amountMinor: toMinorUnits(input.fee, currency, field('fee')).toString(), period: input.period, minimumGuarantee };
    }
    case CompensationModel.PER_USE: {
      unexpected(input, model, ['fee', 'period', 'bps']);
      if (!input.ratePerUnit) bad(field('ratePerUnit'), 'PER_USE needs a ratePerUnit');
      const rate = parseDecimal(input.ratePerUnit, field('ratePerUnit'));
      if (rate.isNegative() || rate.isZero()) bad(field('ratePerUnit'), 'must be greater than zero');
      if (rate.decimalPlaces() > MAX_RATE_DECIMALS) {
        bad(field('ratePerUnit'), `at most ${MAX_RATE_DECIMALS} decimal places, got "${input.ratePerUnit}"`);
      }
      // A rate is an amount per unit: bounded like any amount (each report line is bounded again, units × rate).
      if (exceedsMaxAmount(inMinorUnits(rate, currency))) {
        bad(field('ratePerUnit'), `at most ${formatMinorUnits(MAX_AMOUNT_MINOR, currency)} ${currency} per unit, got "${input.ratePerUnit}"`);
      }
      return { model, currency, ratePerUnit: rate.toFixed(), minimumGuarantee };
    }
    case CompensationModel.REVENUE_SHARE: {
      unexpected(input, model, ['fee', 'period', 'ratePerUnit']);
      const bps = input.bps;
      if (bps === null || bps === undefined || !Number.isInteger(bps) || bps < 0 || bps > 10_000) {
        bad(field('bps'), 'REVENUE_SHARE needs bps between 0 and 10000');
      }
      return { model, currency, bps, minimumGuarantee };
    }
    default: {
      const unknown: never = model;
      return bad(field('model'), `unknown model ${String(unknown)}`);
    }
  }
}

/** Checks what needs no database; the selected ISRCs are resolved by `resolveSelectedWorks`. */
export function validateTerms(input: AgreementTermsInput): Omit<ValidTerms, 'selectedWorkIds'> & { selectedIsrcs: string[] } {
  const useTypes = [...new Set(input.useTypes)];
  if (useTypes.length === 0) bad('terms.useTypes', 'at least one use type is required');
  const territories = [...new Set(input.territories)];
  if (territories.length === 0) bad('terms.territories', 'at least one territory is required');
  if (territories.includes(WORLD) && territories.length > 1) bad('terms.territories', 'WORLD already covers every country');
  const excludedTerritories = [...new Set(input.excludedTerritories ?? [])];
  if (excludedTerritories.length && !territories.includes(WORLD)) {
    bad('terms.excludedTerritories', 'exclusions apply to WORLD only');
  }
  if (excludedTerritories.includes(WORLD)) bad('terms.excludedTerritories', 'WORLD cannot be excluded');
  if (input.endsAt && input.endsAt <= input.startsAt) bad('terms.endsAt', 'must be after startsAt');
  const selectedIsrcs = [...new Set(input.selectedIsrcs ?? [])];
  if (input.catalogScope === CatalogScope.SELECTED && selectedIsrcs.length === 0) {
    bad('terms.selectedIsrcs', 'SELECTED scope needs at least one ISRC');
  }
  if (input.catalogScope === CatalogScope.ALL && selectedIsrcs.length) bad('terms.selectedIsrcs', 'only with SELECTED scope');
  if (selectedIsrcs.length > MAX_SELECTED_WORKS) bad('terms.selectedIsrcs', `at most ${MAX_SELECTED_WORKS} works`);
  if (minorUnitDigits(input.compensation.currency) === undefined) bad('terms.compensation.currency', 'unknown currency');
  return {
    useTypes,
    territories,
    excludedTerritories,
    startsAt: input.startsAt,
    endsAt: input.endsAt ?? null,
    catalogScope: input.catalogScope,
    selectedIsrcs,
    compensation: validateCompensation(input.compensation),
  };
}

/** The selected works must exist and be owned (in part) by the licensor; names every one that is not. */
export async function resolveSelectedWorks(manager: EntityManager, licensorId: string, isrcs: string[]): Promise<string[]> {
  if (isrcs.length === 0) return [];
  const rows = (await manager.query(
    `SELECT s.isrc, w.id,
            EXISTS (SELECT 1 FROM right_share rs WHERE rs.work_id = w.id AND rs.label_id = $2) AS owned
     FROM unnest($1::text[]) AS s(isrc) LEFT JOIN work w ON w.isrc = s.isrc`,
    [isrcs, licensorId],
  )) as { isrc: string; id: string | null; owned: boolean }[];
  const refused = rows.filter((row) => !row.id || !row.owned).map((row) => row.isrc);
  if (refused.length) {
    throw new BadInputError(`terms.selectedIsrcs: not in the licensor's catalog: ${refused.slice(0, 20).join(', ')}`, {
      field: 'terms.selectedIsrcs',
      isrcs: refused,
    });
  }
  return rows.map((row) => row.id!);
}

export async function insertTerms(
  manager: EntityManager,
  agreementId: string,
  termsVersion: number,
  terms: ValidTerms,
  draftedBy: string,
  proposed: boolean,
): Promise<void> {
  await manager.query(
    `INSERT INTO agreement_terms (agreement_id, terms_version, use_types, territories, excluded_territories,
       starts_at, ends_at, catalog_scope, compensation, drafted_by, proposed_by, proposed_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [
      agreementId,
      termsVersion,
      terms.useTypes,
      terms.territories,
      terms.excludedTerritories,
      terms.startsAt,
      terms.endsAt,
      terms.catalogScope,
      JSON.stringify(terms.compensation),
      draftedBy,
      proposed ? draftedBy : null,
      proposed ? new Date() : null,
    ],
  );
  if (terms.selectedWorkIds.length) {
    await manager.query(
      `INSERT INTO agreement_work (agreement_id, terms_version, work_id) SELECT $1, $2, unnest($3::uuid[])`,
      [agreementId, termsVersion, terms.selectedWorkIds],
    );
  }
}
