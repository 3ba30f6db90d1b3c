import type { MandatePermission } from '../partners/mandate.entity';
import { PartnerType, type PartnerStatus } from '../partners/partner.entity';

/**
 * Who is asking: the authenticated partner as its row says now (not as its token says), with the
 * mandates it holds that are in force. Built once per request and passed to every service call.
 */
export interface Viewer {
  partnerId: string;
  name: string;
  type: PartnerType;
  status: PartnerStatus;
  /** Mandates in force that this partner holds as a distributor. */
  mandates: ReadonlyArray<{ labelId: string; permissions: readonly MandatePermission[] }>;
}

/** The labels a viewer may act for with a permission: a label for itself, a distributor through its mandates. */
export function labelsActedFor(viewer: Viewer, permission: MandatePermission): string[] {
  if (viewer.type === PartnerType.LABEL) return [viewer.partnerId];
  if (viewer.type !== PartnerType.DISTRIBUTOR) return [];
  return viewer.mandates.filter((m) => m.permissions.includes(permission)).map((m) => m.labelId);
}

export function actsForAny(viewer: Viewer, permission: MandatePermission, labelIds: readonly string[]): boolean {
  const actedFor = labelsActedFor(viewer, permission);
  return labelIds.some((id) => actedFor.includes(id));
}

export function isInternal(viewer: Viewer): boolean {
  return viewer.type === PartnerType.INTERNAL;
}
