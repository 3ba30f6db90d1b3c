import type { Request } from 'express';
import type { Logger } from 'pino';
import type { TokenVerifier } from '../auth/jwt';
import { AuthenticationError, ForbiddenError } from '../common/errors';
import { AnswerGate } from './answer-gate';
import { authenticateHeader } from './authenticate';
import { createLoaders, type RequestContext } from './context';
import { toGraphQLError } from './format-error';
import type { OperationSafelists } from './operation-safelist';
import { currentRequest } from './request-scope';
import type { Services } from './services';

/**
 * Turns a request into a context, or refuses it before any resolver runs (see authenticate.ts): a
 * suspension takes effect on the partner's next request.
 */
export function contextFactory(verifier: TokenVerifier, services: Services, safelists: OperationSafelists, logger: Logger) {
  return async ({ req }: { req: Request }): Promise<RequestContext> => {
    try {
      const { viewer } = await authenticateHeader(verifier, services, req.headers.authorization);
      const refusal = safelists.refusalOfRequest(viewer.partnerId, req);
      if (refusal) throw refusal;
      const requestId = currentRequest()?.requestId ?? 'none';
      return {
        requestId,
        viewer,
        services,
        loaders: createLoaders(viewer, services),
        logger: logger.child({ requestId, partnerId: viewer.partnerId }),
        answerGate: new AnswerGate(),
      };
    } catch (error) {
      if (error instanceof AuthenticationError || error instanceof ForbiddenError) throw toGraphQLError(error);
      throw error;
    }
  };
}
