import 'reflect-metadata';
import pino from 'pino';
import { withLocalSecret } from './auth/local-secret';
import { readSettings, SettingsError } from './config';
import { openDatabase } from './db/database';
import { writeDemoTokens } from './seed/demo-tokens';
import { seedDemoDeals } from './seed/demo-deals';
import { seedDemo } from './seed/seed-demo';
import { startGateway } from './server/gateway';
import { withLocalReceiptKey } from './decisions/receipt';

/**
 * `npm start`: the gateway on DATABASE_URL, or on an embedded PostgreSQL under the data folder with the
 * demo data seeded once. Prints where it listens and, when an HS256 secret signs local tokens, one
 * token per demo partner.
 */
async function main(): Promise<void> {
  const settings = withLocalReceiptKey(withLocalSecret(readSettings()));
  const logger = pino({ level: settings.logLevel });
  const database = await openDatabase(settings);
  if (database.embedded) {
    const seeded = [await seedDemo(database.dataSource), await seedDemoDeals(database.dataSource)];
    if (seeded.some(Boolean)) logger.info('demo data seeded');
  }
  const gateway = await startGateway({ dataSource: database.dataSource, settings, logger });

  const lines = [`Accord gateway: ${gateway.url}`];
  if (!settings.production) lines.push(`Explorer:       ${gateway.url} (open in a browser)`);
  if (database.embedded) lines.push(`Database:       embedded PostgreSQL in ${settings.dataDir}/pg`);
  if (settings.jwt.secret) {
    const tokens = await writeDemoTokens(database.dataSource, settings);
    if (Object.keys(tokens).length) {
      lines.push(`Demo tokens (also in ${settings.dataDir}/demo-tokens.json):`);
      for (const [name, { type, token }] of Object.entries(tokens)) lines.push(`  ${name} (${type}):\n    ${token}`);
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await gateway.close();
    await database.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error) => {
  // A setting to correct needs its message; anything else, the stack, to be reported.
  const detail = error instanceof SettingsError ? error.message : error instanceof Error ? error.stack : String(error);
  process.stderr.write(`Accord failed to start: ${detail}\n`);
  process.exit(1);
});
