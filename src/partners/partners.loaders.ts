import DataLoader from 'dataloader';
import type { Viewer } from '../auth/viewer';
import type { MandateEntity } from './mandate.entity';
import type { PartnerEntity } from './partner.entity';
import type { PartnersService } from './partners.service';

export function createPartnerLoaders(viewer: Viewer, partners: PartnersService) {
  return {
    partnerById: new DataLoader<string, PartnerEntity | undefined>((ids) => partners.findPartners(ids)),
    mandatesOfPartner: new DataLoader<string, MandateEntity[]>((ids) => partners.mandatesOf(viewer, ids)),
  };
}
export type PartnerLoaders = ReturnType<typeof createPartnerLoaders>;
