import type { EntityManager } from 'typeorm';

/**
 * Holds these works as they are for the rest of the transaction: their shares and credits (which only
 * registerWorks changes, under its lock on the work), their WORK-scope consent (recordConsent locks the
 * work) and their MAIN artists' consent (recordConsent locks the artist). Share locks: readers holding
 * them do not wait for each other. Works, then artists, each in key order, as the writers take them, so
 * that they queue rather than deadlock.
 */
export async function holdWorksAsTheyAre(manager: EntityManager, isrcs: readonly string[]): Promise<void> {
  const works = (await manager.query(`SELECT id FROM work WHERE isrc = ANY($1::text[]) ORDER BY isrc FOR SHARE`, [isrcs])) as {
    id: string;
  }[];
  // A statement of its own, once the works are held: their credits can no longer change.
  await manager.query(
    `SELECT 1 FROM artist a
     WHERE a.id IN (SELECT wa.artist_id FROM work_artist wa WHERE wa.work_id = ANY($1::uuid[]) AND wa.role = 'MAIN')
     ORDER BY a.id FOR SHARE`,
    [works.map((work) => work.id)],
  );
}
