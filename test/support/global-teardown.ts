import fs from 'node:fs';
import { Client } from 'pg';

export default async function globalTeardown(): Promise<void> {
  const adminUrl = process.env.ACCORD_TEST_ADMIN_URL;
  const template = process.env.ACCORD_TEST_TEMPLATE;
  if (adminUrl && template) {
    const admin = new Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    await admin.end();
  }
  const embedded = globalThis.accordEmbeddedTestDatabase;
  if (embedded) {
    await embedded.server.stop();
    fs.rmSync(embedded.directory, { recursive: true, force: true });
  }
}
