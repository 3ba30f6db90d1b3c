import countries from 'i18n-iso-countries';
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

/**
 * Territories are ISO 3166-1 alpha-2 country codes, or WORLD (every country, possibly minus
 * exclusions). Validated at the edge, stored upper case.
 */
export const WORLD = 'WORLD';

export function parseTerritory(raw: string): string {
  const value = raw.trim().toUpperCase();
  if (value === WORLD || (value.length === 2 && countries.isValid(value))) return value;
  throw new Error(`"${raw}" is not a territory: expected an ISO 3166-1 alpha-2 code (e.g. FR) or WORLD`);
}

/**
 * Whether a territory set (codes, or WORLD minus exclusions) covers a territory. Asked for WORLD itself,
 * only an unrestricted WORLD covers it: "WORLD minus US" does not license worldwide use.
 */
export function coversTerritory(
  scope: { territories: readonly string[]; excludedTerritories: readonly string[] },
  territory: string,
): boolean {
  if (territory === WORLD) return scope.territories.includes(WORLD) && scope.excludedTerritories.length === 0;
  if (scope.territories.includes(territory)) return true;
  return scope.territories.includes(WORLD) && !scope.excludedTerritories.includes(territory);
}

/** The same rule in SQL, over columns `<alias>.territories` and `<alias>.excluded_territories`. */
export function coversTerritorySql(alias: string, parameter: string): string {
  return `(CASE WHEN ${parameter} = '${WORLD}'
    THEN '${WORLD}' = ANY(${alias}.territories) AND cardinality(${alias}.excluded_territories) = 0
    ELSE ${parameter} = ANY(${alias}.territories)
      OR ('${WORLD}' = ANY(${alias}.territories) AND NOT ${parameter} = ANY(${alias}.excluded_territories)) END)`;
}

function parseInput(value: unknown): string {
  if (typeof value !== 'string') throw new GraphQLError('Territory must be a string');
  try {
    return parseTerritory(value);
  } catch (error) {
    throw new GraphQLError((error as Error).message);
  }
}

export const TerritoryScalar = new GraphQLScalarType({
  name: 'Territory',
  description: 'An ISO 3166-1 alpha-2 country code (e.g. "FR"), or "WORLD".',
  serialize: (value) => String(value),
  parseValue: parseInput,
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('Territory must be a string', { nodes: ast });
    return parseInput(ast.value);
  },
});
