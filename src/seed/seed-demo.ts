import type { DataSource } from 'typeorm';
import { toGlobalId } from '../common/relay/global-id';
import { MandatePermission } from '../partners/mandate.entity';
import { PartnerEntity } from '../partners/partner.entity';
import { PartnersService } from '../partners/partners.service';
import { WorksService } from '../works/works.service';
import type { Viewer } from '../auth/viewer';
import { demoCatalog } from './demo-catalog';
import { DEMO_PARTNERS } from './demo-partners';

function asViewer(partner: PartnerEntity): Viewer {
  return { partnerId: partner.id, name: partner.name, type: partner.type, status: partner.status, mandates: [] };
}

/**
 * Seeds the demo partners, a mandate and the catalog through the same services the API uses (so the
 * outbox records it all), once: returns false when the demo partners are already there.
 */
export async function seedDemo(dataSource: DataSource): Promise<boolean> {
  const repository = dataSource.getRepository(PartnerEntity);
  if (await repository.existsBy({ name: DEMO_PARTNERS[0].name })) return false;
  const partners = await repository.save(DEMO_PARTNERS.map((p) => repository.create({ ...p, status: 'ACTIVE' })));
  const byName = (name: string) => partners.find((p) => p.name === name)!;
  const aurora = byName('Aurora Records');
  const meridian = byName('Meridian Music');
  const internal = byName('Accord Operations');

  await new PartnersService(dataSource).grantMandate(asViewer(aurora), {
    distributor: toGlobalId('Partner', byName('Tidewater Distribution').id),
    permissions: [MandatePermission.READ_CATALOG, MandatePermission.MANAGE_CONSENT, MandatePermission.NEGOTIATE],
  });
  await new WorksService(dataSource).register(
    asViewer(internal),
    demoCatalog(toGlobalId('Partner', aurora.id), toGlobalId('Partner', meridian.id)),
  );
  return true;
}
