import 'reflect-metadata';
import { readSettings } from '../config';
import { openDatabase } from '../db/database';

/** `npm run migrate`: applies pending migrations (forward only) and exits; the gateway also does it at start. */
openDatabase(readSettings())
  .then(async (database) => {
    const migrations = await database.dataSource.query('SELECT name FROM migrations ORDER BY id');
    process.stdout.write(`Migrations applied: ${migrations.map((m: { name: string }) => m.name).join(', ')}\n`);
    await database.close();
  })
  .catch((error) => {
    process.stderr.write(`migrate failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
