import type { ApolloServerPlugin } from '@apollo/server';
import type { RequestContext } from './context';
import { isInternalError } from './format-error';

/** Logs, with the request id, every error that is not the client's doing; partners only see the id. */
export function errorLogging(): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          // Only what the partner sees as INTERNAL_SERVER_ERROR: their own mistakes (bad variables, say)
          // would flood the log, and with whatever they sent.
          for (const error of errors) {
            if (isInternalError(error)) contextValue.logger.error({ err: error.originalError ?? error, path: error.path }, 'request failed');
          }
        },
      };
    },
  };
}
