import {
  createSourceEventStream,
  execute,
  getOperationAST,
  Kind,
  visit,
  type ExecutionArgs,
  type ExecutionResult,
} from 'graphql';
import type { Viewer } from '../auth/viewer';
import { createLoaders, type RequestContext } from './context';

type Result = ExecutionResult | Promise<ExecutionResult>;

/**
 * graphql.subscribe, except that an event is executed once for every group of subscribers bound to get
 * the same result, instead of once per subscriber: with a thousand sockets open, executing each event
 * a thousand times is most of the gateway's work. Subscribers share a result when they sent the same
 * document text and operation, the same values for the variables used below the root field (the root
 * field's own arguments only choose the events), and have the same viewer, value for value (which
 * decides every rule and payload trimming). Each execution gets fresh loaders, so a long subscription
 * never reads a stale cached row.
 */
export function subscribeSharingResults() {
  const resultsByEvent = new WeakMap<object, Map<string, Result>>();
  const viewerKeys = new WeakMap<Viewer, string>();

  const viewerKey = (viewer: Viewer) => {
    let key = viewerKeys.get(viewer);
    if (key === undefined) {
      key = JSON.stringify(viewer);
      viewerKeys.set(viewer, key);
    }
    return key;
  };

  return async (args: ExecutionArgs) => {
    const source = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in source)) return source;
    const context = args.contextValue as RequestContext;
    const operation = operationKey(args);
    // The same key string while the viewer stays the same object: its hash is computed once.
    let keyedViewer: Viewer | undefined;
    let key: string | undefined;
    const run = (event: object): Result => {
      if (operation !== undefined && context.viewer !== keyedViewer) {
        keyedViewer = context.viewer;
        key = `${operation}\n${viewerKey(keyedViewer)}`;
      }
      const shared = key === undefined ? undefined : resultsByEvent.get(event)?.get(key);
      if (shared) return shared;
      context.loaders = createLoaders(context.viewer, context.services);
      const result = execute({ ...args, rootValue: event });
      if (key !== undefined) {
        const results = resultsByEvent.get(event) ?? new Map<string, Result>();
        results.set(key, result);
        resultsByEvent.set(event, results);
      }
      return result;
    };
    return mapEvents(source, run);
  };
}

/** What of the operation decides a result beside the event and the viewer; undefined when unknown. */
function operationKey(args: ExecutionArgs): string | undefined {
  const text = args.document.loc?.source.body;
  const operation = getOperationAST(args.document, args.operationName);
  if (text === undefined || !operation) return undefined;
  const used = new Set<string>();
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD || !selection.selectionSet) continue;
    visit(selection.selectionSet, { Variable: (node) => void used.add(node.name.value) });
  }
  const variables = [...used].sort().map((name) => [name, args.variableValues?.[name]]);
  return `${args.operationName ?? ''}\n${JSON.stringify(variables)}\n${text}`;
}

/** Maps an event stream, passing return() on so that closing the subscription ends the source. */
function mapEvents<T>(source: AsyncIterable<unknown>, map: (event: object) => T | Promise<T>): AsyncIterableIterator<T> {
  const iterator = source[Symbol.asyncIterator]();
  const mapped: AsyncIterableIterator<T> = {
    async next() {
      const step = await iterator.next();
      return step.done ? { done: true, value: undefined } : { done: false, value: await map(step.value as object) };
    },
    async return() {
      await iterator.return?.();
      return { done: true, value: undefined };
    },
    async throw(error: unknown) {
      await iterator.return?.();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return mapped;
    },
  };
  return mapped;
}
