import { HeaderMap, type ApolloServerPlugin, type BaseContext, type GraphQLRequest, type GraphQLResponse } from '@apollo/server';
import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import {
  execute,
  getOperationAST,
  GraphQLError,
  Kind,
  OperationTypeNode,
  printSchema,
  type DocumentNode,
  type ExecutionResult,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type SelectionSetNode,
  type Source,
  type SourceLocation,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

/**
 * Executes operations with graphql-jit instead of graphql-js: each document Apollo has parsed and
 * validated is compiled once into a function that resolves its selection, and run for every request
 * that sends it again. graphql-js interprets the selection afresh for every object of every list; a
 * batch of 10,000 decisions is 60,000 fields, and that interpretation and the null-prototype objects it
 * builds were the gateway's largest cost (BENCHMARKS.md, "Reading the decision figures").
 *
 * Apollo Server takes another executor only through its gateway interface, so `gateway` is one: a
 * gateway whose schema never changes. Apollo still parses, validates, runs every plugin and formats
 * errors. Queries are executed earlier, by `plugin` (Apollo's `responseForOperation` hook), which answers
 * those that succeed: for each operation the gateway path builds a request object whose accessors hold
 * the whole request, its variables and its answer, and V8 kept all of that through young-generation
 * collections (BENCHMARKS.md, "Garbage collection"). A query with errors or whose execution rejects,
 * an operationName that names no operation, and every mutation take the gateway path, which hands Apollo
 * the execution already done (nothing runs twice) for Apollo to format and log its errors.
 *
 * When the variables do not fit the operation, graphql-js executes it instead: its messages are the
 * ones Apollo recognises as BAD_USER_INPUT, and they name the offending value precisely. Errors raised
 * during execution become graphql-js errors again (see asGraphQLError).
 *
 * Every execution ends with `settle(context)`, the writes the answer waits for (answer-gate.ts): they
 * run while the rest of the answer is executed, and the answer is an error when one of them failed.
 */
export function compiledExecution<TContext extends BaseContext>(
  schema: GraphQLSchema,
  settle: (context: TContext) => Promise<void>,
): { gateway: GatewayInterface; plugin: ApolloServerPlugin<TContext> } {
  const run = compiledExecutor(schema);
  // Executions of queries the plugin ran and left to the gateway path, by the operation's context.
  const executed = new WeakMap<object, Promise<ExecutionResult>>();
  // The operation the client named, not the one Apollo resolved (null when none matched): graphql-js then
  // refuses an unknown name itself instead of running the document's only operation.
  const executeOperation = async (
    document: DocumentNode,
    request: Pick<GraphQLRequest, 'operationName' | 'variables'>,
    contextValue: TContext,
  ): Promise<ExecutionResult> => {
    const result = await run({ document, operationName: request.operationName, contextValue, variableValues: request.variables });
    try {
      await settle(contextValue);
      return result;
    } catch (error) {
      // The data names what was not written (a decision batch without its record): none of it is sent.
      const unwritten = new GraphQLError('a write the answer depends on failed', { originalError: error instanceof Error ? error : undefined });
      return { data: null, errors: [...(result.errors ?? []), unwritten] };
    }
  };

  const executor: GatewayExecutor = ({ document, request, context }) => {
    const execution = executed.get(context);
    // Apollo hands the gateway the context it built with our context function.
    if (!execution) return executeOperation(document, request, context as TContext);
    executed.delete(context);
    return execution;
  };
  const plugin: ApolloServerPlugin<TContext> = {
    async requestDidStart() {
      return {
        async responseForOperation({ document, operation, request, contextValue }): Promise<GraphQLResponse | null> {
          // Typed as always set, it is undefined when operationName names no operation of the document.
          if (operation?.operation !== OperationTypeNode.QUERY) return null;
          const execution = executeOperation(document, request, contextValue);
          // A failure, even one thrown, goes to Apollo through the gateway path: it formats and logs it.
          const result = await execution.catch(() => undefined);
          if (!result || result.errors) {
            executed.set(contextValue, execution);
            return null;
          }
          return { http: { status: undefined, headers: new HeaderMap() }, body: { kind: 'single', singleResult: result } };
        },
      };
    },
  };
  return {
    gateway: {
      onSchemaLoadOrUpdate(callback) {
        callback({ apiSchema: schema, coreSupergraphSdl: printSchema(schema) });
        return () => {};
      },
      async load() {
        return { executor };
      },
      async stop() {},
    },
    plugin,
  };
}

export interface Execution {
  document: DocumentNode;
  operationName?: string | null;
  contextValue: unknown;
  variableValues?: Record<string, unknown>;
}

/** What is known of one operation of one document: executions so far, its compiled query, or that it is not compiled. */
type Plan = { executions: number } | { compiled: CompiledQuery } | 'interpreted';

/**
 * Documents whose operation has more fields than this, counted with every fragment expanded where it is
 * spread, are never compiled. Compiling costs about 0.25 ms and 40 kB per expanded field here (a
 * 1,000-character document of 5,600 fields took 1.5 s and 230 MB), while graphql-js only does work for
 * the objects the data holds: a document within the cost limit must not buy seconds of compiling.
 */
export const MAX_COMPILED_FIELDS = 200;

/**
 * graphql-js's `execute`, for documents already validated, by compiled queries. Compiling takes 2–50 ms,
 * more than executing a document once, so a document runs under graphql-js until it has been executed
 * `executionsBeforeCompiling` times: a client that sends each query once never pays for compiling it.
 */
export function compiledExecutor(
  schema: GraphQLSchema,
  { executionsBeforeCompiling = 1 } = {},
): (execution: Execution) => Promise<ExecutionResult> {
  // Apollo keeps one DocumentNode per distinct query text (its document store), so what is learnt of a
  // document lives as long as Apollo keeps the document.
  const byDocument = new WeakMap<DocumentNode, Map<string, Plan>>();

  const compiledFor = (document: DocumentNode, operationName: string | null | undefined): CompiledQuery | undefined => {
    let byOperation = byDocument.get(document);
    if (!byOperation) {
      byOperation = new Map();
      byDocument.set(document, byOperation);
    }
    const key = operationName ?? '';
    const plan = byOperation.get(key) ?? { executions: 0 };
    if (plan === 'interpreted') return undefined;
    if ('compiled' in plan) return plan.compiled;
    if (plan.executions < executionsBeforeCompiling) {
      byOperation.set(key, { executions: plan.executions + 1 });
      return undefined;
    }
    const small = expandedFieldCount(document, operationName, MAX_COMPILED_FIELDS) <= MAX_COMPILED_FIELDS;
    const result = small ? compileQuery(schema, document, operationName ?? undefined) : undefined;
    // A document graphql-jit cannot compile (compileQuery answers with errors instead) runs under graphql-js.
    const compiled = result && isCompiledQuery(result) ? result : undefined;
    byOperation.set(key, compiled ? { compiled } : 'interpreted');
    return compiled;
  };

  return async ({ document, operationName, contextValue, variableValues = {} }) => {
    const interpret = () => execute({ schema, document, operationName, contextValue, variableValues });
    const compiled = compiledFor(document, operationName);
    if (!compiled) return interpret();
    const result = await compiled.query(undefined, contextValue, variableValues);
    if (!result.errors) return result;
    if (!('data' in result)) return interpret();
    return { ...result, errors: result.errors.map((error) => asGraphQLError(error, document.loc?.source)) };
  };
}

/**
 * The fields of the operation with every fragment expanded where it is spread, counted up to
 * `limit + 1` only: expansion can grow exponentially with a document's length, the count must not.
 * Validated documents have no fragment cycles.
 */
function expandedFieldCount(document: DocumentNode, operationName: string | null | undefined, limit: number): number {
  const operation = getOperationAST(document, operationName);
  if (!operation) return Infinity;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  let count = 0;
  const countIn = (selectionSet: SelectionSetNode): void => {
    for (const selection of selectionSet.selections) {
      if (count > limit) return;
      if (selection.kind === Kind.FIELD) {
        count += 1;
        if (selection.selectionSet) countIn(selection.selectionSet);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        countIn(selection.selectionSet);
      } else {
        const fragment = fragments.get(selection.name.value);
        if (fragment) countIn(fragment.selectionSet);
      }
    }
  };
  countIn(operation.selectionSet);
  return count;
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
