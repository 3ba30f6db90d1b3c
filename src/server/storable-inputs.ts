import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, type ASTVisitor, type ValidationContext } from 'graphql';
import { BadInputError, ErrorCode } from '../common/errors';
import { firstUnstorableString, unstorable } from '../common/storable-strings';
import type { RequestContext } from './context';
import { toGraphQLError } from './format-error';

/**
 * Every string a partner sends, refused with BAD_USER_INPUT before anything runs when the database
 * could not keep it as sent (see storable-strings.ts): in the document, by a validation rule (run once
 * per document), and in the variables, by storableVariables.
 */
export function storableStringLiterals(context: ValidationContext): ASTVisitor {
  return {
    StringValue(node) {
      const problem = unstorable(node.value);
      if (problem) {
        context.reportError(new GraphQLError(`a string in the document ${problem}`, { nodes: node, extensions: { code: ErrorCode.BAD_USER_INPUT } }));
      }
    },
  };
}

/** The error for the first unstorable string in the variables, if any; it names where it is, not what. */
export function unstorableVariablesError(variables: Record<string, unknown> | null | undefined): GraphQLError | undefined {
  const found = firstUnstorableString(variables ?? {}, '');
  return found && toGraphQLError(new BadInputError(`variables.${found.path} ${found.problem}`, { field: found.path }));
}

export function storableVariables(): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request }) {
          const error = unstorableVariablesError(request.variables);
          if (error) throw error;
        },
      };
    },
  };
}
