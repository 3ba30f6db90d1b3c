import 'reflect-metadata';
import { mintToken } from '../auth/jwt';
import { withLocalSecret } from '../auth/local-secret';
import { readSettings } from '../config';
import { openDatabase } from '../db/database';
import { fromGlobalId, isUuid } from '../common/relay/global-id';
import { PartnerEntity } from '../partners/partner.entity';

/** `npm run token -- <partner id, global id or name> [ttl seconds]`: prints a locally signed token. */
async function run(): Promise<void> {
  const [who, ttl] = process.argv.slice(2);
  if (!who) throw new Error('usage: npm run token -- <partner id or name> [ttl seconds]');
  const settings = withLocalSecret(readSettings());
  const database = await openDatabase(settings);
  try {
    const repository = database.dataSource.getRepository(PartnerEntity);
    let id = isUuid(who) ? who : undefined;
    if (!id) {
      try {
        id = fromGlobalId(who).id;
      } catch {
        id = (await repository.findOneBy({ name: who }))?.id;
      }
    }
    const partner = id ? await repository.findOneBy({ id }) : null;
    if (!partner) throw new Error(`no partner "${who}"`);
    process.stdout.write(`${mintToken(settings.jwt, partner.id, ttl ? Number(ttl) : undefined)}\n`);
  } finally {
    await database.close();
  }
}

run().catch((error) => {
  process.stderr.write(`token: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
