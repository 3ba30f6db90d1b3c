import type { ApolloServerPlugin } from '@apollo/server';
import { DomainError } from '../common/errors';
import type { RequestContext } from './context';

/** Logs, with the request id, every error that is not the client's doing; partners only see the id. */
export function errorLogging(): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          for (const error of errors) {
            const original = error.originalError;
            if (!original || original instanceof DomainError) continue;
            contextValue.logger.error({ err: original, path: error.path }, 'request failed');
          }
        },
      };
    },
  };
}
