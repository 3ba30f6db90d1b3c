import { toGlobalId } from '../common/relay/global-id';
import type { MandateEntity } from './mandate.entity';
import type { PartnerEntity } from './partner.entity';
import { Mandate, Partner } from './partners.types';

export function toPartner(row: PartnerEntity): Partner {
  return Object.assign(new Partner(), {
    id: toGlobalId('Partner', row.id),
    partnerId: row.id,
    name: row.name,
    type: row.type,
    status: row.status,
    dpid: row.dpid,
  });
}

export function toMandate(row: MandateEntity, now = new Date()): Mandate {
  return Object.assign(new Mandate(), {
    id: toGlobalId('Mandate', row.id),
    mandateId: row.id,
    distributorId: row.distributorId,
    labelId: row.labelId,
    permissions: row.permissions,
    validFrom: row.validFrom,
    validUntil: row.validUntil,
    revokedAt: row.revokedAt,
    active: !row.revokedAt && row.validFrom <= now && (!row.validUntil || now < row.validUntil),
    version: row.version,
  });
}
