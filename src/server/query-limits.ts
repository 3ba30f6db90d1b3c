import { ApolloArmor } from '@escape.tech/graphql-armor';
import { GraphQLError, type ValidationContext } from 'graphql';
import { ErrorCode } from '../common/errors';

/**
 * Depth, alias and directive limits on every operation (graphql-armor), and a token limit at parse
 * time (graphql-js). Refusals carry QUERY_TOO_COMPLEX and happen before anything executes. Cost is
 * measured with the partner's budget in operation-cost.ts, not here, so it is computed once.
 */
export const QUERY_LIMITS = {
  maxDepth: 12,
  maxAliases: 20,
  maxDirectives: 20,
  maxTokens: 20_000,
  /** Points (see operation-cost.ts): a full page of 500 works with every field fits, with room to spare. */
  maxCost: 10_000,
};

/** armor's own reporter tags refusals BAD_USER_INPUT; this one gives them their code. */
const refuse = {
  propagateOnRejection: false,
  exposeLimits: true,
  onReject: [
    (context: ValidationContext | null, error: GraphQLError) =>
      context?.reportError(new GraphQLError(error.message.replace(/^Syntax Error: /, ''), { extensions: { code: ErrorCode.QUERY_TOO_COMPLEX } })),
  ],
};

/** graphql-js's message when `parseOptions.maxTokens` stops the parser. */
export function isTokenLimitError(error: Error): boolean {
  return error.message.startsWith('Syntax Error: Document contains more that');
}

export function queryLimits() {
  return new ApolloArmor({
    maxDepth: { n: QUERY_LIMITS.maxDepth, ...refuse },
    maxAliases: { n: QUERY_LIMITS.maxAliases, ...refuse },
    maxDirectives: { n: QUERY_LIMITS.maxDirectives, ...refuse },
    costLimit: { enabled: false },
    maxTokens: { enabled: false },
    // Apollo's hideSchemaDetailsFromClientErrors already hides "did you mean" suggestions in production.
    blockFieldSuggestion: { enabled: false },
  }).protect();
}
