import type { DataSource } from 'typeorm';
import { AgreementsService } from '../agreements/agreements.service';
import type { Viewer } from '../auth/viewer';
import { toGlobalId } from '../common/relay/global-id';
import { UseType } from '../common/use-type';
import { ConsentService } from '../consent/consent.service';
import { MandatePermission } from '../partners/mandate.entity';
import { PartnerEntity } from '../partners/partner.entity';
import { ConsentChoice } from '../consent/consent.types';

const asViewer = (partner: PartnerEntity, mandates: Viewer['mandates'] = []): Viewer => ({
  partnerId: partner.id,
  name: partner.name,
  type: partner.type,
  status: partner.status,
  mandates,
});

const TERMS = {
  useTypes: [UseType.TRAINING, UseType.FINE_TUNING],
  territories: ['WORLD'],
  excludedTerritories: [],
  startsAt: new Date('2026-01-01T00:00:00Z'),
  endsAt: new Date('2028-01-01T00:00:00Z'),
  catalogScope: 'ALL' as const,
};

/**
 * Agreements in several states and consent for part of the catalog, so that `npm start` shows every
 * answer a partner can get: Aurora licenses Resonance AI (ACTIVE), Meridian has proposed terms to it,
 * and Tidewater drafts for Aurora with Cadence Labs. Aurora's artists granted TRAINING on its first ten
 * works, refused one and withdrew one. Written through the services, so the outbox records it all.
 * Only for the demo: tests seed their own agreements. Once: returns false when agreements exist already.
 */
export async function seedDemoDeals(dataSource: DataSource): Promise<boolean> {
  const [{ exists }] = (await dataSource.query(`SELECT EXISTS (SELECT 1 FROM agreement) AS exists`)) as { exists: boolean }[];
  if (exists) return false;
  const partners = await dataSource.getRepository(PartnerEntity).find();
  const named = (name: string) => partners.find((p) => p.name === name)!;
  const aurora = asViewer(named('Aurora Records'));
  const meridian = asViewer(named('Meridian Music'));
  const resonance = asViewer(named('Resonance AI'));
  const tidewater = asViewer(named('Tidewater Distribution'), [
    { labelId: aurora.partnerId, permissions: [MandatePermission.READ_CATALOG, MandatePermission.MANAGE_CONSENT, MandatePermission.NEGOTIATE] },
  ]);
  const agreements = new AgreementsService(dataSource);
  const consent = new ConsentService(dataSource);

  const active = await agreements.create(aurora, {
    licensee: toGlobalId('Partner', resonance.partnerId),
    terms: {
      ...TERMS,
      compensation: { model: 'PER_USE', currency: 'EUR', ratePerUnit: '0.0125', minimumGuarantee: { amount: '500.00', period: 'MONTH' } },
    },
  });
  const proposed = await agreements.propose(aurora, { agreement: toGlobalId('Agreement', active.id), expectedVersion: 1 });
  await agreements.accept(resonance, { agreement: toGlobalId('Agreement', active.id), expectedVersion: proposed.version });

  const offer = await agreements.create(meridian, {
    licensee: toGlobalId('Partner', resonance.partnerId),
    terms: { ...TERMS, useTypes: [UseType.TRAINING], compensation: { model: 'REVENUE_SHARE', currency: 'USD', bps: 1500 } },
  });
  await agreements.propose(meridian, { agreement: toGlobalId('Agreement', offer.id), expectedVersion: 1 });

  await agreements.create(tidewater, {
    licensor: toGlobalId('Partner', aurora.partnerId),
    licensee: toGlobalId('Partner', named('Cadence Labs').id),
    terms: { ...TERMS, useTypes: [UseType.STYLE_PROMPTING], compensation: { model: 'FLAT_FEE', currency: 'EUR', fee: '2500.00', period: 'MONTH' } },
  });

  const auroraWorks = Array.from({ length: 12 }, (_, i) => `QZAUR26${String(2 * i + 1).padStart(5, '0')}`);
  const declaration = {
    useTypes: [UseType.TRAINING, UseType.FINE_TUNING],
    territories: ['WORLD'],
    grantedBy: { name: 'Declared by the artists' },
    evidence: { method: 'SIGNED_DOCUMENT' as const, documentHash: 'a'.repeat(64) },
    validFrom: new Date('2026-01-01T00:00:00Z'),
  };
  await consent.record(aurora, { ...declaration, works: auroraWorks.slice(0, 10), state: ConsentChoice.GRANTED });
  await consent.record(aurora, { ...declaration, works: [auroraWorks[10]], state: ConsentChoice.REFUSED });
  await consent.record(aurora, { ...declaration, works: [auroraWorks[11]], state: ConsentChoice.GRANTED });
  const { validFrom: _recordedFrom, ...coverage } = declaration;
  await consent.withdraw(aurora, { ...coverage, works: [auroraWorks[11]] });
  return true;
}
