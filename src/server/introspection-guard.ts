import type { ApolloServerPlugin } from '@apollo/server';
import { NoSchemaIntrospectionCustomRule, validate } from 'graphql';
import { ForbiddenError } from '../common/errors';
import type { RequestContext } from './context';
import { toGraphQLError } from './format-error';

/** In production only internal tools may introspect the schema; partners get the published SDL. */
export function introspectionGuard(): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, schema, contextValue }) {
          if (contextValue.viewer.type === 'INTERNAL') return;
          if (validate(schema, document, [NoSchemaIntrospectionCustomRule]).length > 0) {
            throw toGraphQLError(new ForbiddenError('introspection is reserved to internal tools in production'));
          }
        },
      };
    },
  };
}
