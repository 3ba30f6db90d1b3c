import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { buildDataSource } from '../../ormconfig';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/db/embedded';
import { migrate } from '../../src/db/database';

/**
 * Runs once per `npm test`: picks the server (DATABASE_URL's, or an embedded one in a temporary folder),
 * builds a template database with every migration applied, and hands both to the test files through the
 * environment. Each test file then clones the template into a database of its own.
 */
declare global {
  var accordEmbeddedTestDatabase: { server: EmbeddedDatabase; directory: string } | undefined;
}

export default async function globalSetup(): Promise<void> {
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'accord-test-'));
    fs.chmodSync(directory, 0o777);
    const server = await startEmbeddedPostgres(path.join(directory, 'pg'));
    globalThis.accordEmbeddedTestDatabase = { server, directory };
    adminUrl = server.adminUrl;
  }
  const template = `accord_template_${process.pid}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${template}`);
  await admin.query(`CREATE DATABASE ${template}`);
  await admin.end();

  const templateUrl = new URL(adminUrl);
  templateUrl.pathname = `/${template}`;
  const dataSource = buildDataSource(templateUrl.toString());
  await dataSource.initialize();
  await migrate(dataSource);
  await dataSource.destroy();

  process.env.ACCORD_TEST_ADMIN_URL = adminUrl;
  process.env.ACCORD_TEST_TEMPLATE = template;
}
