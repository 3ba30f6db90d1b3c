import { isInternal, labelsActedFor, type Viewer } from '../auth/viewer';
import { MandatePermission } from '../partners/mandate.entity';
import { PartnerType } from '../partners/partner.entity';

export interface AgreementParties {
  licensorId: string;
  licenseeId: string;
  actingDistributorId: string | null;
}

/** The licensor label itself, or a distributor holding a NEGOTIATE mandate in force for it. */
export function actsForLicensor(viewer: Viewer, parties: AgreementParties): boolean {
  return labelsActedFor(viewer, MandatePermission.NEGOTIATE).includes(parties.licensorId);
}

/** Parties see everything about the agreement, including its compensation. */
export function isParty(viewer: Viewer, parties: AgreementParties): boolean {
  return (
    isInternal(viewer) ||
    viewer.partnerId === parties.licenseeId ||
    viewer.partnerId === parties.actingDistributorId ||
    actsForLicensor(viewer, parties)
  );
}

/**
 * Which agreements a viewer may read, as a SQL condition on alias `a`: its own (licensor, licensee once
 * proposed, negotiating distributor), those of labels it holds a READ_CATALOG or NEGOTIATE mandate for;
 * internal reads all.
 */
export function agreementVisibility(viewer: Viewer, params: unknown[]): string {
  if (isInternal(viewer)) return 'TRUE';
  params.push(viewer.partnerId);
  const self = `$${params.length}::uuid`;
  const conditions = [
    `a.licensor_id = ${self}`,
    `(a.licensee_id = ${self} AND a.state <> 'DRAFT')`,
    `a.acting_distributor_id = ${self}`,
  ];
  if (viewer.type === PartnerType.DISTRIBUTOR) {
    params.push([
      ...labelsActedFor(viewer, MandatePermission.READ_CATALOG),
      ...labelsActedFor(viewer, MandatePermission.NEGOTIATE),
    ]);
    conditions.push(`a.licensor_id = ANY($${params.length}::uuid[])`);
  }
  return `(${conditions.join(' OR ')})`;
}
