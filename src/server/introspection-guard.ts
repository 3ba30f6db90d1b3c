import type { ApolloServerPlugin } from '@apollo/server';
import { NoSchemaIntrospectionCustomRule, validate, type DocumentNode } from 'graphql';
import { ForbiddenError } from '../common/errors';
import type { RequestContext } from './context';
import { toGraphQLError } from './format-error';

/** In production only internal tools may introspect the schema; partners get the published SDL. */
export function introspectionGuard(): ApolloServerPlugin<RequestContext> {
  // Apollo hands the same document object for the same operation text (its document cache), so each
  // operation is checked once, not on every request.
  const introspects = new WeakMap<DocumentNode, boolean>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, schema, contextValue }) {
          if (contextValue.viewer.type === 'INTERNAL') return;
          let found = introspects.get(document);
          if (found === undefined) {
            found = validate(schema, document, [NoSchemaIntrospectionCustomRule]).length > 0;
            introspects.set(document, found);
          }
          if (found) throw toGraphQLError(new ForbiddenError('introspection is reserved to internal tools in production'));
        },
      };
    },
  };
}
