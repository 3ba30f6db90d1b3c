import type { DataSource } from 'typeorm';
import { toGlobalId } from '../../src/common/relay/global-id';
import { PartnerEntity } from '../../src/partners/partner.entity';
import { seedDemo } from '../../src/seed/seed-demo';
import { tokenFor } from './gateway';

export interface DemoPartner {
  id: string;
  globalId: string;
  token: string;
}

export interface Demo {
  aurora: DemoPartner;
  meridian: DemoPartner;
  tidewater: DemoPartner;
  resonance: DemoPartner;
  cadence: DemoPartner;
  operations: DemoPartner;
}

const NAMES = {
  aurora: 'Aurora Records',
  meridian: 'Meridian Music',
  tidewater: 'Tidewater Distribution',
  resonance: 'Resonance AI',
  cadence: 'Cadence Labs',
  operations: 'Accord Operations',
} as const;

/** Seeds the demo data (as `npm start` does) and returns each demo partner with a test token. */
export async function seedDemoPartners(dataSource: DataSource): Promise<Demo> {
  await seedDemo(dataSource);
  const rows = await dataSource.getRepository(PartnerEntity).find();
  const demo = {} as Record<keyof Demo, DemoPartner>;
  for (const [key, name] of Object.entries(NAMES) as [keyof Demo, string][]) {
    const row = rows.find((r) => r.name === name)!;
    demo[key] = { id: row.id, globalId: toGlobalId('Partner', row.id), token: tokenFor(row.id) };
  }
  return demo;
}

export async function countRows(dataSource: DataSource, table: string): Promise<number> {
  const [{ count }] = await dataSource.query(`SELECT count(*)::int AS count FROM ${table}`);
  return count;
}
