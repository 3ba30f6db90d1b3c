import type { Request } from 'express';
import type { Logger } from 'pino';
import { parseBearer, type TokenVerifier } from '../auth/jwt';
import { AuthenticationError, ForbiddenError } from '../common/errors';
import { authenticate } from './authenticate';
import { createLoaders, type RequestContext } from './context';
import { toGraphQLError } from './format-error';
import { currentRequest } from './request-scope';
import type { Services } from './services';

/**
 * Turns a request into a context, or refuses it before any resolver runs (see authenticate.ts): a
 * suspension takes effect on the partner's next request.
 */
export function contextFactory(verifier: TokenVerifier, services: Services, logger: Logger) {
  return async ({ req }: { req: Request }): Promise<RequestContext> => {
    try {
      const token = parseBearer(req.headers.authorization);
      if (!token) throw new AuthenticationError("missing bearer token: send 'Authorization: Bearer <token>'");
      const { viewer } = await authenticate(verifier, services, token);
      const requestId = currentRequest()?.requestId ?? 'none';
      return {
        requestId,
        viewer,
        services,
        loaders: createLoaders(viewer, services),
        logger: logger.child({ requestId, partnerId: viewer.partnerId }),
      };
    } catch (error) {
      if (error instanceof AuthenticationError || error instanceof ForbiddenError) throw toGraphQLError(error);
      throw error;
    }
  };
}
