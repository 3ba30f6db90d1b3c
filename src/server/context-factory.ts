import type { Request } from 'express';
import type { Logger } from 'pino';
import { parseBearer, type TokenVerifier } from '../auth/jwt';
import { AuthenticationError, ForbiddenError } from '../common/errors';
import { PartnerStatus } from '../partners/partner.entity';
import { createLoaders, type RequestContext } from './context';
import { toGraphQLError } from './format-error';
import { currentRequest } from './request-scope';
import type { Services } from './services';

/**
 * Turns a request into a context, or refuses it before any resolver runs: no token, a bad token, an
 * unknown partner → UNAUTHENTICATED; a suspended partner → FORBIDDEN. The partner row, read on every
 * request, is the source of truth for type and status, so a suspension takes effect at once.
 */
export function contextFactory(verifier: TokenVerifier, services: Services, logger: Logger) {
  return async ({ req }: { req: Request }): Promise<RequestContext> => {
    try {
      const token = parseBearer(req.headers.authorization);
      if (!token) throw new AuthenticationError("missing bearer token: send 'Authorization: Bearer <token>'");
      const { partnerId } = await verifier.verify(token);
      const viewer = await services.partners.loadViewer(partnerId);
      if (!viewer) throw new AuthenticationError('token names no known partner');
      if (viewer.status === PartnerStatus.SUSPENDED) throw new ForbiddenError('partner is suspended');
      const requestId = currentRequest()?.requestId ?? 'none';
      return {
        requestId,
        viewer,
        services,
        loaders: createLoaders(viewer, services),
        logger: logger.child({ requestId, partnerId }),
      };
    } catch (error) {
      if (error instanceof AuthenticationError || error instanceof ForbiddenError) throw toGraphQLError(error);
      throw error;
    }
  };
}
