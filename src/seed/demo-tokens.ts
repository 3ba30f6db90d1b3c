import fs from 'node:fs';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { In } from 'typeorm';
import { mintToken } from '../auth/jwt';
import type { Settings } from '../config';
import { toGlobalId } from '../common/relay/global-id';
import { PartnerEntity } from '../partners/partner.entity';
import { DEMO_PARTNERS } from './demo-partners';

export type DemoTokens = Record<string, { id: string; type: string; token: string }>;

const DEMO_TOKEN_TTL_SECONDS = 30 * 24 * 3600;

/** Mints a token for each demo partner present and writes them to `<data dir>/demo-tokens.json`. */
export async function writeDemoTokens(dataSource: DataSource, settings: Settings): Promise<DemoTokens> {
  const partners = await dataSource
    .getRepository(PartnerEntity)
    .findBy({ name: In(DEMO_PARTNERS.map((p) => p.name)) });
  const tokens: DemoTokens = {};
  for (const { name } of DEMO_PARTNERS) {
    const partner = partners.find((p) => p.name === name);
    if (!partner) continue;
    tokens[name] = {
      id: toGlobalId('Partner', partner.id),
      type: partner.type,
      token: mintToken(settings.jwt, partner.id, DEMO_TOKEN_TTL_SECONDS),
    };
  }
  fs.mkdirSync(settings.dataDir, { recursive: true });
  fs.writeFileSync(path.join(settings.dataDir, 'demo-tokens.json'), `${JSON.stringify(tokens, null, 2)}\n`, {
    mode: 0o600,
  });
  return tokens;
}
