import type { ComplexityEstimator } from 'graphql-query-complexity';
import { ArgsType, Field, Int, ObjectType, type ClassType } from 'type-graphql';
import type { DataSource } from 'typeorm';
import { Allow, EVERY_PARTNER } from '../../auth/policy';
import { BadInputError } from '../errors';

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

/** Cost of a connection field: its selection once per node of the page asked for. */
export const pageComplexity: ComplexityEstimator = ({ args, childComplexity }) =>
  1 + (typeof args.first === 'number' ? args.first : DEFAULT_PAGE_SIZE) * childComplexity;

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

export function readPage(args: PageArgs, maximum: number): Page {
  const limit = args.first ?? Math.min(DEFAULT_PAGE_SIZE, maximum);
  if (!Number.isInteger(limit) || limit < 0 || limit > maximum) {
    throw new BadInputError(`first must be between 0 and ${maximum}`, { field: 'first', maximum });
  }
  return { limit, after: args.after ? decodeCursor(args.after) : undefined };
}

export function encodeCursor(position: string): string {
  return Buffer.from(`cursor:${position}`).toString('base64url');
}

export function decodeCursor(cursor: string): string {
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!decoded.startsWith('cursor:')) throw new BadInputError('after is not a valid cursor', { field: 'after' });
  return decoded.slice('cursor:'.length);
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

/** The keyset position of a row listed oldest first: its creation time, then its id to break ties. */
function chronologicalPosition(row: { created_at: Date; id: string }): string {
  return `${row.created_at.toISOString()}|${row.id}`;
}

/**
 * The SQL condition for rows after a chronological position, on columns `<alias>.created_at` and
 * `<alias>.id`; pushes its parameters.
 */
function afterChronological(after: string, alias: string, params: unknown[]): string {
  const [createdAt, id] = after.split('|');
  if (!id || Number.isNaN(Date.parse(createdAt))) throw new BadInputError('after is not a valid cursor', { field: 'after' });
  params.push(createdAt, id);
  return `(${alias}.created_at, ${alias}.id) > ($${params.length - 1}::timestamptz, $${params.length}::uuid)`;
}

/**
 * One page of rows listed oldest first: `select` (a SELECT without WHERE) filtered by `conditions`, whose
 * parameters are already in `params`, continuing after the page's cursor on `<alias>.created_at, <alias>.id`.
 */
export async function chronologicalPage<Row extends { created_at: Date; id: string }>(
  dataSource: DataSource,
  query: { select: string; alias: string; conditions: string[]; params: unknown[] },
  page: Page,
): Promise<Connection<Row>> {
  const { select, alias, params } = query;
  const conditions = page.after ? [...query.conditions, afterChronological(page.after, alias, params)] : query.conditions;
  params.push(page.limit + 1);
  const rows = (await dataSource.query(
    `${select} WHERE ${conditions.join(' AND ')} ORDER BY ${alias}.created_at, ${alias}.id LIMIT $${params.length}`,
    params,
  )) as Row[];
  return toConnection(rows, page, chronologicalPosition, (row) => row);
}
