import currencyCodes from 'currency-codes';
import Decimal from 'decimal.js';
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { BadInputError } from './errors';

/**
 * Money is an integer number of minor units in an ISO 4217 currency (JPY has 0 decimals, EUR 2,
 * KWD 3). Amounts cross the API as decimal strings ("1500.00") and are converted exactly; there is
 * no float anywhere on the money path.
 */
Decimal.set({ precision: 60, rounding: Decimal.ROUND_HALF_EVEN });
export { Decimal };

/** Decimal places of a currency's minor unit; undefined when the code is not a currency for payment. */
export function minorUnitDigits(currency: string): number | undefined {
  // X-codes are funds, precious metals, testing and "no currency": not for paying rights holders.
  if (currency.startsWith('X')) return undefined;
  return currencyCodes.code(currency)?.digits;
}

export function parseCurrency(raw: string): string {
  const value = raw.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(value) || minorUnitDigits(value) === undefined) {
    throw new Error(`"${raw}" is not an ISO 4217 currency code (e.g. EUR, JPY, KWD)`);
  }
  return value;
}

const DECIMAL = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/;

/** An exact decimal from a string such as "0.0125"; the field name goes into the error. */
export function parseDecimal(raw: string, field: string): Decimal {
  if (!DECIMAL.test(raw.trim())) {
    throw new BadInputError(`${field}: "${raw}" is not a decimal number (e.g. "0.0125")`, { field });
  }
  return new Decimal(raw.trim());
}

/**
 * The largest amount Accord takes or pays in one piece, in minor units: a fee, a guarantee, a line's
 * revenue, a rate per unit, a rated line, a report's total. 10^13 is 100,000,000,000.00 EUR (10 trillion
 * JPY). The ledger's columns are bigint (at most 9.2 × 10^18): a report of 50,000 lines at this bound
 * would still be 5 × 10^17, and PostgreSQL sums bigint columns (a month's entries, a statement) as numeric.
 */
export const MAX_AMOUNT_MINOR = 10n ** 13n;

const MAX_AMOUNT = new Decimal(MAX_AMOUNT_MINOR.toString());

/** An amount of minor units (exact, possibly fractional) over MAX_AMOUNT_MINOR. */
export function exceedsMaxAmount(minor: Decimal): boolean {
  return minor.greaterThan(MAX_AMOUNT);
}

/** A decimal in a currency's major unit, in its minor units, exact (a rate may come to a fraction of one). */
export function inMinorUnits(value: Decimal, currency: string): Decimal {
  return value.times(new Decimal(10).pow(minorUnitDigits(currency)!));
}

/**
 * A decimal amount in a currency, to minor units; more decimals than the currency has, or more than
 * MAX_AMOUNT_MINOR, is refused. `details` locate the amount further (a report line's index).
 */
export function toMinorUnits(amount: string, currency: string, field: string, details: Record<string, unknown> = {}): bigint {
  const value = parseDecimal(amount, field);
  const digits = minorUnitDigits(currency)!;
  // lessThan, not isNegative: "-0" is zero.
  if (value.lessThan(0)) throw new BadInputError(`${field}: must not be negative`, { field, ...details });
  if (value.decimalPlaces() > digits) {
    throw new BadInputError(`${field}: ${currency} has ${digits} decimal place(s), got "${amount}"`, { field, ...details });
  }
  const minor = inMinorUnits(value, currency);
  if (exceedsMaxAmount(minor)) {
    const maximum = formatMinorUnits(MAX_AMOUNT_MINOR, currency);
    throw new BadInputError(`${field}: at most ${maximum} ${currency}, got "${amount}"`, { field, maximum, ...details });
  }
  return BigInt(minor.toFixed(0));
}

/** Minor units back to a decimal string with exactly the currency's decimals ("1500.00"). */
export function formatMinorUnits(minor: bigint | string, currency: string): string {
  const digits = minorUnitDigits(currency) ?? 0;
  return new Decimal(minor.toString()).dividedBy(new Decimal(10).pow(digits)).toFixed(digits);
}

function parseInput(value: unknown): string {
  if (typeof value !== 'string') throw new GraphQLError('Currency must be a string');
  try {
    return parseCurrency(value);
  } catch (error) {
    throw new GraphQLError((error as Error).message);
  }
}

export const CurrencyScalar = new GraphQLScalarType({
  name: 'Currency',
  description: 'An ISO 4217 currency code for payment, e.g. "EUR" (2 decimals), "JPY" (0), "KWD" (3).',
  serialize: (value) => String(value),
  parseValue: parseInput,
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('Currency must be a string', { nodes: ast });
    return parseInput(ast.value);
  },
});
