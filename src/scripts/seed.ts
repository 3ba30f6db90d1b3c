import 'reflect-metadata';
import { withLocalSecret } from '../auth/local-secret';
import { readSettings } from '../config';
import { openDatabase } from '../db/database';
import { writeDemoTokens } from '../seed/demo-tokens';
import { seedDemoDeals } from '../seed/demo-deals';
import { seedDemo } from '../seed/seed-demo';

/** `npm run seed`: applies migrations and seeds the demo data into DATABASE_URL (or the embedded database). */
async function run(): Promise<void> {
  const settings = withLocalSecret(readSettings());
  const database = await openDatabase(settings);
  try {
    const seeded = [await seedDemo(database.dataSource), await seedDemoDeals(database.dataSource)].some(Boolean);
    process.stdout.write(seeded ? 'Demo data seeded.\n' : 'Demo data already present; nothing written.\n');
    if (settings.jwt.secret) {
      await writeDemoTokens(database.dataSource, settings);
      process.stdout.write(`Demo tokens written to ${settings.dataDir}/demo-tokens.json\n`);
    }
  } finally {
    await database.close();
  }
}

run().catch((error) => {
  process.stderr.write(`seed failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
