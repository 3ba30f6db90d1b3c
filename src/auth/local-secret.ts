import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { SettingsError, type Settings } from '../config';

/**
 * Outside production, with no key configured, tokens are signed and checked with an HS256 secret
 * generated once into the data folder, so demo tokens survive restarts. Production must configure a key.
 */
export function withLocalSecret(settings: Settings): Settings {
  const { jwt } = settings;
  if (jwt.secret || jwt.publicKey || jwt.jwksUrl) return settings;
  if (settings.production) {
    throw new SettingsError('Set JWT_PUBLIC_KEY, JWT_JWKS_URL or JWT_SECRET: production never uses a generated secret');
  }
  const file = path.join(settings.dataDir, 'jwt-secret');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(settings.dataDir, { recursive: true });
    fs.writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' });
  }
  return { ...settings, jwt: { ...jwt, secret: fs.readFileSync(file, 'utf8').trim() } };
}
