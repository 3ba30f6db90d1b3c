import { parseBearer, type TokenVerifier } from '../auth/jwt';
import type { Viewer } from '../auth/viewer';
import { AuthenticationError, ForbiddenError } from '../common/errors';
import { PartnerStatus } from '../partners/partner.entity';
import type { PartnersService } from '../partners/partners.service';

/**
 * Who is calling, from an `Authorization` header: no token, a bad token or an unknown partner →
 * UNAUTHENTICATED; a suspended partner → FORBIDDEN. The partner row, read on every request, is the
 * source of truth for type and status, so a suspension takes effect at once. Shared by GraphQL, the
 * CSV downloads and any other authenticated endpoint.
 */
export async function authenticate(
  authorization: string | undefined,
  verifier: TokenVerifier,
  partners: PartnersService,
): Promise<{ viewer: Viewer; expiresAt: Date }> {
  const token = parseBearer(authorization);
  if (!token) throw new AuthenticationError("missing bearer token: send 'Authorization: Bearer <token>'");
  const { partnerId, expiresAt } = await verifier.verify(token);
  const viewer = await partners.loadViewer(partnerId);
  if (!viewer) throw new AuthenticationError('token names no known partner');
  if (viewer.status === PartnerStatus.SUSPENDED) throw new ForbiddenError('partner is suspended');
  return { viewer, expiresAt };
}
