import type { ComplexityEstimator } from 'graphql-query-complexity';
import { ArgsType, Field, Int, ObjectType, type ClassType } from 'type-graphql';
import type { DataSource } from 'typeorm';
import { Allow, EVERY_PARTNER } from '../../auth/policy';
import { BadInputError } from '../errors';
import { parseIsrc } from '../scalars/identifiers';
import { isUuid } from './global-id';

/** Relay cursor connections with keyset pagination: `first` is capped, `after` is an opaque cursor. */
export const DEFAULT_PAGE_SIZE = 50;

@ObjectType({ description: 'Relay page information.' })
export class PageInfo {
  @Field()
  @Allow(EVERY_PARTNER)
  hasNextPage!: boolean;

  @Field({ description: 'Always false: pages are read forward only (first/after).' })
  @Allow(EVERY_PARTNER)
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true })
  @Allow(EVERY_PARTNER)
  startCursor!: string | null;

  @Field(() => String, { nullable: true })
  @Allow(EVERY_PARTNER)
  endCursor!: string | null;
}

export interface Edge<Node> {
  cursor: string;
  node: Node;
}

export interface Connection<Node> {
  edges: Edge<Node>[];
  pageInfo: PageInfo;
}

/** Declares `<Name>Connection` and `<Name>Edge` object types for a node type. */
export function ConnectionType<Node extends object>(name: string, nodeType: ClassType<Node>) {
  @ObjectType(`${name}Edge`)
  class EdgeType {
    @Field()
    @Allow(EVERY_PARTNER)
    cursor!: string;

    @Field(() => nodeType)
    @Allow(EVERY_PARTNER)
    node!: Node;
  }

  @ObjectType(`${name}Connection`)
  class ConnectionClass {
    @Field(() => [EdgeType])
    @Allow(EVERY_PARTNER)
    edges!: EdgeType[];

    @Field(() => PageInfo)
    @Allow(EVERY_PARTNER)
    pageInfo!: PageInfo;
  }
  return ConnectionClass;
}

/**
 * Cost of a connection field: its selection once per node of the page asked for. A negative `first` is
 * refused when the field runs; costed as it is, it would cancel its siblings' cost, and they would run.
 */
export const pageComplexity: ComplexityEstimator = ({ args, childComplexity }) =>
  1 + (typeof args.first === 'number' ? Math.max(0, args.first) : DEFAULT_PAGE_SIZE) * childComplexity;

@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, description: `Page size, ${DEFAULT_PAGE_SIZE} by default.` })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'The endCursor of the previous page.' })
  after?: string | null;
}

export interface Page {
  limit: number;
  /** The decoded keyset position to continue after, if any. */
  after?: string;
}

/**
 * Whether a decoded cursor holds a keyset position exactly as its list writes it. Cursors come back from
 * clients, and a position the list never wrote would reach SQL as a value PostgreSQL refuses.
 */
export type PositionCheck = (position: string) => boolean;

/** A work's ISRC in the normalized form the ISRC scalar stores (what ISRC-ordered lists write). */
export function isIsrcPosition(position: string): boolean {
  try {
    return parseIsrc(position) === position;
  } catch {
    return false;
  }
}

/** Lists ordered by creation time; each names itself in its cursors, so that another's is refused. */
export type ChronologicalList = 'agreements' | 'usage-reports';

/** A position `chronologicalPage` writes for this list (or wrote before lists named themselves). */
export function isChronologicalPosition(list: ChronologicalList): PositionCheck {
  return (position) => parseChronological(position, list) !== undefined;
}

export function readPage(args: PageArgs, maximum: number, isPosition: PositionCheck): Page {
  const limit = args.first ?? Math.min(DEFAULT_PAGE_SIZE, maximum);
  if (!Number.isInteger(limit) || limit < 0 || limit > maximum) {
    throw new BadInputError(`first must be between 0 and ${maximum}`, { field: 'first', maximum });
  }
  // An empty cursor is a cursor, and not one of this list: read as "no cursor", it would restart the walk.
  return { limit, after: args.after === undefined || args.after === null ? undefined : decodeCursor(args.after, isPosition) };
}

export function encodeCursor(position: string): string {
  return Buffer.from(`cursor:${position}`).toString('base64url');
}

export function notACursorOfThisList(cursor: string): BadInputError {
  return new BadInputError(`after (${cursor}): not a cursor of this list`, { field: 'after' });
}

/** The position in a cursor, which must be encoded exactly as `encodeCursor` writes it. */
function decodeCursor(cursor: string, isPosition: PositionCheck): string {
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  const position = decoded.slice('cursor:'.length);
  // Re-encoding refuses what the decoder tolerates: padding, "+/", stray characters, invalid UTF-8.
  if (!decoded.startsWith('cursor:') || encodeCursor(position) !== cursor || !isPosition(position)) {
    throw notACursorOfThisList(cursor);
  }
  return position;
}

/** Builds a connection from rows fetched with `limit + 1` (the extra row only says a next page exists). */
export function toConnection<Row, Node>(
  rows: Row[],
  page: Page,
  position: (row: Row) => string,
  toNode: (row: Row) => Node,
): Connection<Node> {
  const pageRows = rows.slice(0, page.limit);
  const edges = pageRows.map((row) => ({ cursor: encodeCursor(position(row)), node: toNode(row) }));
  return {
    edges,
    pageInfo: {
      hasNextPage: rows.length > page.limit,
      hasPreviousPage: false,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}

/**
 * A row listed oldest first, with its creation time as the database keeps it (microseconds) for its
 * keyset position: a JavaScript Date keeps milliseconds only, and a cursor rounded to them would list
 * the page's last row again on the next page.
 */
interface ChronologicalRow {
  created_at: Date;
  id: string;
  keyset_time: string;
}

/** The keyset position of a row listed oldest first: its list, its creation time, then its id to break ties. */
function chronologicalPosition(list: ChronologicalList, row: ChronologicalRow): string {
  return `${list}/${row.keyset_time}|${row.id}`;
}

/** As keyset_time writes it, microseconds; cursors written before it carry milliseconds, and stay valid. */
const KEYSET_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3})(\d{3})?Z$/;

/**
 * A time exactly as the keyset writes it, in years 0001–9999: PostgreSQL reads neither year 0 nor
 * six-digit years, and an impossible date (Feb 30) does not round-trip through Date.
 */
function isWrittenTimestamp(value: string): boolean {
  const match = KEYSET_TIME.exec(value);
  if (!match || value.startsWith('0000')) return false;
  const milliseconds = `${match[1]}Z`;
  const time = new Date(milliseconds);
  return !Number.isNaN(time.getTime()) && time.toISOString() === milliseconds;
}

/**
 * The time and id of a position as `chronologicalPosition` writes it for `list`, or undefined for anything
 * else. Positions written before lists named themselves (no `<list>/`) stay valid.
 */
function parseChronological(position: string, list: ChronologicalList): { createdAt: string; id: string } | undefined {
  const keyset = position.startsWith(`${list}/`) ? position.slice(list.length + 1) : position;
  const separator = keyset.indexOf('|');
  const createdAt = keyset.slice(0, separator);
  const id = keyset.slice(separator + 1);
  return separator > 0 && isWrittenTimestamp(createdAt) && isUuid(id) ? { createdAt, id } : undefined;
}

/**
 * The SQL condition for rows after a chronological position, on columns `<alias>.created_at` and
 * `<alias>.id`; pushes its parameters.
 */
function afterChronological(after: string, list: ChronologicalList, alias: string, params: unknown[]): string {
  const position = parseChronological(after, list);
  if (!position) throw notACursorOfThisList(encodeCursor(after));
  params.push(position.createdAt, position.id);
  return `(${alias}.created_at, ${alias}.id) > ($${params.length - 1}::timestamptz, $${params.length}::uuid)`;
}

/**
 * One page of rows listed oldest first: `select` (a SELECT without WHERE, whose columns have distinct
 * names: it is read as a subquery) filtered by `conditions`, whose parameters are already in `params`,
 * continuing after the page's cursor on `<alias>.created_at, <alias>.id`.
 */
export async function chronologicalPage<Row extends { created_at: Date; id: string }>(
  dataSource: DataSource,
  query: { list: ChronologicalList; select: string; alias: string; conditions: string[]; params: unknown[] },
  page: Page,
): Promise<Connection<Row>> {
  const { list, select, alias, params } = query;
  const conditions = page.after !== undefined ? [...query.conditions, afterChronological(page.after, list, alias, params)] : query.conditions;
  params.push(page.limit + 1);
  const rows = (await dataSource.query(
    `SELECT listed.*, to_char(listed.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS keyset_time
     FROM (${select} WHERE ${conditions.join(' AND ')} ORDER BY ${alias}.created_at, ${alias}.id LIMIT $${params.length}) listed
     ORDER BY listed.created_at, listed.id`,
    params,
  )) as (Row & ChronologicalRow)[];
  return toConnection(rows, page, (row) => chronologicalPosition(list, row), (row) => row);
}
