import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';

/**
 * Music identifiers, validated and normalized at the edge (upper case, separators removed) so that a
 * bad value never reaches a service and stored values compare by plain equality.
 */
const SEPARATORS = /[\s.\-]/g;

function normalize(value: string): string {
  return value.replace(SEPARATORS, '').toUpperCase();
}

const ISRC_PATTERN = /^[A-Z]{2}[A-Z0-9]{3}[0-9]{7}$/;

/** ISRC: country (2 letters), registrant (3 alphanumerics), year (2 digits), designation (5 digits). */
export function parseIsrc(raw: string): string {
  // Most clients send ISRCs normalized already; batches of thousands skip the rewriting.
  if (ISRC_PATTERN.test(raw)) return raw;
  const value = normalize(raw);
  if (!ISRC_PATTERN.test(value)) {
    throw new Error(
      `"${raw}" is not a valid ISRC: expected 2 letters, 3 letters or digits, then 7 digits (e.g. USRC17607839)`,
    );
  }
  return value;
}

/** ISWC check digit: c = (10 − (1 + Σᵢ i·dᵢ) mod 10) mod 10 over the nine digits. */
export function iswcCheckDigit(nineDigits: string): number {
  let sum = 1;
  for (let i = 1; i <= 9; i += 1) sum += i * Number(nineDigits[i - 1]);
  return (10 - (sum % 10)) % 10;
}

export function parseIswc(raw: string): string {
  const value = normalize(raw);
  if (!/^T[0-9]{10}$/.test(value)) {
    throw new Error(`"${raw}" is not a valid ISWC: expected T, 9 digits and a check digit (e.g. T-034.524.680-1)`);
  }
  const expected = iswcCheckDigit(value.slice(1, 10));
  if (Number(value[10]) !== expected) {
    throw new Error(`"${raw}" is not a valid ISWC: check digit is ${value[10]}, expected ${expected}`);
  }
  return value;
}

/** ISNI check character, ISO 7064 MOD 11-2 over the first 15 digits ("X" stands for 10). */
export function isniCheckCharacter(fifteenDigits: string): string {
  let total = 0;
  for (const digit of fifteenDigits) total = (total + Number(digit)) * 2;
  const result = (12 - (total % 11)) % 11;
  return result === 10 ? 'X' : String(result);
}

export function parseIsni(raw: string): string {
  const value = normalize(raw);
  if (!/^[0-9]{15}[0-9X]$/.test(value)) {
    throw new Error(`"${raw}" is not a valid ISNI: expected 15 digits and a check character (e.g. 0000 0001 2103 2683)`);
  }
  const expected = isniCheckCharacter(value.slice(0, 15));
  if (value[15] !== expected) {
    throw new Error(`"${raw}" is not a valid ISNI: check character is ${value[15]}, expected ${expected}`);
  }
  return value;
}

function identifierScalar(name: string, description: string, parse: (raw: string) => string): GraphQLScalarType {
  const parseInput = (value: unknown): string => {
    if (typeof value !== 'string') throw new GraphQLError(`${name} must be a string`);
    try {
      return parse(value);
    } catch (error) {
      throw new GraphQLError((error as Error).message);
    }
  };
  return new GraphQLScalarType({
    name,
    description,
    serialize: (value) => String(value),
    parseValue: parseInput,
    parseLiteral: (ast: ValueNode) => {
      if (ast.kind !== Kind.STRING) throw new GraphQLError(`${name} must be a string`, { nodes: ast });
      return parseInput(ast.value);
    },
  });
}

export const IsrcScalar = identifierScalar(
  'ISRC',
  'International Standard Recording Code, e.g. "US-RC1-76-07839"; returned normalized: "USRC17607839".',
  parseIsrc,
);
export const IswcScalar = identifierScalar(
  'ISWC',
  'International Standard Musical Work Code with a valid check digit, e.g. "T-034.524.680-1"; returned as "T0345246801".',
  parseIswc,
);
export const IsniScalar = identifierScalar(
  'ISNI',
  'International Standard Name Identifier with a valid MOD 11-2 check character, e.g. "0000 0001 2103 2683"; returned as "0000000121032683".',
  parseIsni,
);
