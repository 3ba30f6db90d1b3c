import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import { DomainError, ErrorCode } from '../common/errors';
import type { RequestContext } from './context';
import type { BudgetState, CostBudget } from './cost-budget';
import { toGraphQLError } from './format-error';

/** graphql-js's wording for variables that do not fit the operation (Apollo matches it the same way). */
function isVariableError(error: unknown): boolean {
  return error instanceof GraphQLError && error.message.startsWith('Variable "$');
}

/**
 * The cost of an operation: one point per field, multiplied along lists by the page or batch size a
 * field declares (`complexity` on its decorator). An operation over `maxCost` is refused outright
 * (QUERY_TOO_COMPLEX); otherwise its cost is charged to the partner's budget per minute (RATE_LIMITED
 * when spent) and reported in `extensions.cost` of the response.
 */
export function operationCost(budget: CostBudget, maxCost: number): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      let cost = 0;
      let state: BudgetState | undefined;
      return {
        async didResolveOperation({ request, document, schema, contextValue, operationName }) {
          try {
            cost = getComplexity({
              schema,
              query: document,
              operationName: operationName ?? undefined,
              variables: request.variables ?? {},
              estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
            });
          } catch (error) {
            // Bad variables: execution reports them precisely; the operation still costs its root.
            if (isVariableError(error)) cost = 1;
            // Anything else (more fields than the analysis evaluates): an operation that cannot be measured is refused.
            else throw toGraphQLError(new DomainError(ErrorCode.QUERY_TOO_COMPLEX, `operation too large to measure: ${(error as Error).message}`));
          }
          if (cost > maxCost) {
            throw toGraphQLError(
              new DomainError(ErrorCode.QUERY_TOO_COMPLEX, `operation costs ${cost} points, more than the ${maxCost} allowed: ask for smaller pages`, {
                cost: { requested: cost, maximum: maxCost },
              }),
            );
          }
          state = await budget.charge(contextValue.viewer.partnerId, cost).catch((error: unknown) => {
            throw error instanceof DomainError ? toGraphQLError(error) : error;
          });
        },
        async willSendResponse({ response }) {
          if (!state || response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          result.extensions = {
            ...result.extensions,
            cost: { requested: cost, limit: state.limit, remaining: state.remaining, resetAt: state.resetAt.toISOString() },
          };
        },
      };
    },
  };
}
