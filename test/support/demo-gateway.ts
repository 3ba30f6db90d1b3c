import type { Settings } from '../../src/config';
import { createTestDatabase, type TestDatabase } from './database';
import { seedDemoPartners, type Demo } from './demo';
import { startTestGateway, type TestGateway } from './gateway';

export interface DemoGateway {
  db: TestDatabase;
  gateway: TestGateway;
  demo: Demo;
}

/** What most test files start from: a database of their own with the demo data, and a gateway on it. */
export async function startDemoGateway(overrides: Partial<Settings> = {}): Promise<DemoGateway> {
  const db = await createTestDatabase();
  const demo = await seedDemoPartners(db.dataSource);
  const gateway = await startTestGateway(db.dataSource, overrides);
  return { db, gateway, demo };
}

export async function stopDemoGateway({ db, gateway }: Partial<DemoGateway>): Promise<void> {
  await gateway?.close();
  await db?.drop();
}
