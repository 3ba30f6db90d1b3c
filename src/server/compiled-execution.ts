import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import {
  execute,
  GraphQLError,
  printSchema,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
  type Source,
  type SourceLocation,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

type Compiled = CompiledQuery | ExecutionResult;

/**
 * Executes operations with graphql-jit instead of graphql-js: each document Apollo has parsed and
 * validated is compiled once into a function that resolves its selection, and run for every request
 * that sends it again. graphql-js interprets the selection afresh for every object of every list; a
 * batch of 10,000 decisions is 60,000 fields, and that interpretation and the null-prototype objects it
 * builds were the gateway's largest cost (BENCHMARKS.md, "Reading the decision figures").
 *
 * Apollo Server takes another executor only through its gateway interface, so this is one: a gateway
 * whose schema never changes. Apollo still parses, validates, runs every plugin and formats errors.
 *
 * When the variables do not fit the operation, graphql-js executes it instead: its messages are the
 * ones Apollo recognises as BAD_USER_INPUT, and they name the offending value precisely. Errors raised
 * during execution become graphql-js errors again (see asGraphQLError).
 */
export function compiledExecution(schema: GraphQLSchema): GatewayInterface {
  const run = compiledExecutor(schema);
  const executor: GatewayExecutor = ({ document, operationName, request, context }) =>
    run({ document, operationName, contextValue: context, variableValues: request.variables });
  return {
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: printSchema(schema) });
      return () => {};
    },
    async load() {
      return { executor };
    },
    async stop() {},
  };
}

export interface Execution {
  document: DocumentNode;
  operationName?: string | null;
  contextValue: unknown;
  variableValues?: Record<string, unknown>;
}

/**
 * graphql-js's `execute`, for documents already validated, by compiled queries. Compiling takes 2–50 ms
 * (an introspection query the most), more than executing a document once, so a document runs under
 * graphql-js until it has been executed `executionsBeforeCompiling` times: a client that sends each
 * query once never pays for compiling it.
 */
export function compiledExecutor(
  schema: GraphQLSchema,
  { executionsBeforeCompiling = 1 } = {},
): (execution: Execution) => Promise<ExecutionResult> {
  // Apollo keeps one DocumentNode per distinct query text (its document store), so what is learnt of a
  // document lives as long as Apollo keeps the document.
  const byDocument = new WeakMap<DocumentNode, Map<string, Compiled | number>>();

  const compiledFor = (document: DocumentNode, operationName: string | null | undefined): Compiled | undefined => {
    let byOperation = byDocument.get(document);
    if (!byOperation) {
      byOperation = new Map();
      byDocument.set(document, byOperation);
    }
    const key = operationName ?? '';
    const known = byOperation.get(key) ?? 0;
    if (typeof known !== 'number') return known;
    if (known < executionsBeforeCompiling) {
      byOperation.set(key, known + 1);
      return undefined;
    }
    const compiled = compileQuery(schema, document, operationName ?? undefined);
    byOperation.set(key, compiled);
    return compiled;
  };

  return async ({ document, operationName, contextValue, variableValues = {} }) => {
    const interpret = () => execute({ schema, document, operationName, contextValue, variableValues });
    const compiled = compiledFor(document, operationName);
    // A document graphql-jit cannot compile (compileQuery answers with errors instead) runs under graphql-js.
    if (!compiled || !isCompiledQuery(compiled)) return interpret();
    const result = await compiled.query(undefined, contextValue, variableValues);
    if (!result.errors) return result;
    if (!('data' in result)) return interpret();
    return { ...result, errors: result.errors.map((error) => asGraphQLError(error, document.loc?.source)) };
  };
}

/**
 * graphql-jit's errors pass `instanceof GraphQLError` but lack what Apollo and formatError read
 * (`extensions`, taken from the original error): the same error, as graphql-js builds it, keeping
 * the original error, the path and the locations in the document.
 */
function asGraphQLError(error: GraphQLError, source: Source | undefined): GraphQLError {
  return new GraphQLError(error.message, {
    originalError: error.originalError ?? undefined,
    path: error.path,
    source,
    positions: source && error.locations?.map((location) => positionOf(source.body, location)),
  });
}

/** The offset in the document of a 1-based line and column, as graphql-js counts lines. */
function positionOf(body: string, { line, column }: SourceLocation): number {
  const lineBreak = /\r\n|[\n\r]/g;
  let lineStart = 0;
  for (let current = 1; current < line; current += 1) {
    const match = lineBreak.exec(body);
    if (!match) break;
    lineStart = match.index + match[0].length;
  }
  return lineStart + column - 1;
}
