import { BadInputError } from '../errors';

/**
 * Relay global ids: base64url of "<Type>:<uuid>". Opaque to clients, and they tell `node(id:)` which
 * table to read without a lookup.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function toGlobalId(type: string, id: string): string {
  return Buffer.from(`${type}:${id}`).toString('base64url');
}

/** The type and uuid behind a global id, which must be spelled exactly as `toGlobalId` writes it. */
export function fromGlobalId(globalId: string): { type: string; id: string } {
  const decoded = Buffer.from(globalId, 'base64url').toString('utf8');
  const separator = decoded.indexOf(':');
  const type = decoded.slice(0, separator);
  const id = decoded.slice(separator + 1);
  // Re-encoding refuses what the decoder tolerates (padding, "+/", stray characters): other spellings of
  // one id would slip past duplicate checks made on the ids as sent.
  if (separator < 1 || !UUID.test(id) || toGlobalId(type, id) !== globalId) {
    throw new BadInputError(`"${globalId}" is not a valid id`, { id: globalId });
  }
  return { type, id };
}

/** The uuid behind a global id that must name an object of `type`. */
export function idOf(type: string, globalId: string, field = 'id'): string {
  const decoded = fromGlobalId(globalId);
  if (decoded.type !== type) {
    const article = /^[AEIOU]/.test(type) ? 'an' : 'a';
    throw new BadInputError(`${field}: "${globalId}" is not the id of ${article} ${type}`, { field, id: globalId });
  }
  return decoded.id;
}

export function isUuid(value: string): boolean {
  return UUID.test(value);
}
