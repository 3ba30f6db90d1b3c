import { parseBearer, type TokenVerifier } from '../auth/jwt';
import type { Viewer } from '../auth/viewer';
import { AuthenticationError, ForbiddenError } from '../common/errors';
import { PartnerStatus } from '../partners/partner.entity';
import type { Services } from './services';

export interface Authenticated {
  viewer: Viewer;
  expiresAt: Date;
}

/**
 * A bearer token to the partner behind it, for HTTP requests and WebSocket connections alike: a bad
 * token, an unknown partner → AuthenticationError; a suspended partner → ForbiddenError. The
 * partner row, read each time, is the source of truth for type and status.
 */
export async function authenticate(
  verifier: TokenVerifier,
  services: Services,
  token: string,
): Promise<Authenticated> {
  const { partnerId, expiresAt } = await verifier.verify(token);
  const viewer = await services.partners.loadViewer(partnerId);
  if (!viewer) throw new AuthenticationError('token names no known partner');
  if (viewer.status === PartnerStatus.SUSPENDED) throw new ForbiddenError('partner is suspended');
  return { viewer, expiresAt };
}

/** The same, from an HTTP `Authorization` header (GraphQL over HTTP, CSV downloads). */
export async function authenticateHeader(
  verifier: TokenVerifier,
  services: Services,
  authorization: string | undefined,
): Promise<Authenticated> {
  const token = parseBearer(authorization);
  if (!token) throw new AuthenticationError("missing bearer token: send 'Authorization: Bearer <token>'");
  return authenticate(verifier, services, token);
}
