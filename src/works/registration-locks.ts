import type { EntityManager } from 'typeorm';
import { AdvisoryNamespace } from '../db/advisory-locks';
import type { ValidatedWork } from './works.validation';

/** Keys share buckets (a power of two), so that a call of thousands of works holds at most this many locks. */
const REGISTRATION_LOCK_BUCKETS = 1024;

/** An artist as registerWorks matches it: by ISNI when it has one, else by exact name. */
export function artistKey(artist: { name: string; isni?: string | null }): string {
  return artist.isni ? `isni:${artist.isni}` : `name:${artist.name}`;
}

async function lockKeys(manager: EntityManager, keys: readonly string[]): Promise<void> {
  await manager.query(
    `SELECT count(pg_advisory_xact_lock($2::int, bucket))
     FROM (SELECT DISTINCT (hashtextextended(key, 0) & $3::bigint)::int AS bucket FROM unnest($1::text[]) AS key ORDER BY bucket) ordered`,
    [keys, AdvisoryNamespace.WORK_REGISTRATION, REGISTRATION_LOCK_BUCKETS - 1],
  );
}

/**
 * Serializes the calls that write a common work or artist, whole: the later one waits for the earlier to
 * commit, then finds its rows and updates or leaves them (idempotent), instead of waiting on another
 * call's uncommitted insert while that call waits on one of its own (a deadlock). Buckets are taken in
 * ascending order, so two calls queue rather than deadlock on the locks themselves.
 */
export async function lockRegistrationKeys(manager: EntityManager, works: readonly ValidatedWork[]): Promise<void> {
  await lockKeys(manager, works.flatMap((w) => [`work:${w.isrc}`, ...w.artists.map((a) => `artist:${artistKey(a)}`)]));
}

/**
 * For a consent record on artists: waits for a registerWorks crediting one of them, and holds off the
 * next, before the transaction has written anything. The record names the AI partners licensing the
 * artists' works as they are when it is written; taken first, these locks make whichever of the two
 * waits also draw the later transaction id, so its event comes after the other's in the outbox's
 * order, as consentChanged's followers need (they learn a work's new artist from the earlier event).
 */
export async function lockArtistsAgainstRegistration(manager: EntityManager, artistIds: readonly string[]): Promise<void> {
  if (artistIds.length === 0) return;
  const artists = (await manager.query(`SELECT name, isni FROM artist WHERE id = ANY($1::uuid[])`, [artistIds])) as {
    name: string;
    isni: string | null;
  }[];
  await lockKeys(manager, artists.map((a) => `artist:${artistKey(a)}`));
}
