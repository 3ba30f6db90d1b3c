import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';

/** Works and consent records written directly in SQL, for tests that need exact control (recorded_at…). */
export interface WorkFixture {
  id: string;
  isrc: string;
  mainArtists: string[];
}

let sequence = 0;

/** A fresh, well-formed ISRC unique within the test process. */
export function nextIsrc(registrant = 'TST'): string {
  sequence += 1;
  return `QZ${registrant}26${String(sequence).padStart(5, '0')}`;
}

export async function insertArtists(dataSource: DataSource, count: number): Promise<string[]> {
  const names = Array.from({ length: count }, () => `Artist ${randomUUID()}`);
  const rows = (await dataSource.query(`INSERT INTO artist (name) SELECT unnest($1::text[]) RETURNING id, name`, [names])) as {
    id: string;
    name: string;
  }[];
  return names.map((name) => rows.find((r) => r.name === name)!.id);
}

/**
 * A work with the given owners (label uuid → bps) and MAIN artists (new ones when a count is given),
 * plus optional FEATURED artists, which the rule ignores.
 */
export async function insertWork(
  dataSource: DataSource,
  owners: [string, number][],
  mainArtists: string[] | number = 1,
  featuredArtists: string[] = [],
): Promise<WorkFixture> {
  const artists = typeof mainArtists === 'number' ? await insertArtists(dataSource, mainArtists) : mainArtists;
  const isrc = nextIsrc();
  const [{ id }] = (await dataSource.query(`INSERT INTO work (isrc, title) VALUES ($1, $2) RETURNING id`, [isrc, `Song ${isrc}`])) as {
    id: string;
  }[];
  const credits = [...artists.map((a) => [a, 'MAIN']), ...featuredArtists.map((a) => [a, 'FEATURED'])];
  if (credits.length) {
    await dataSource.query(
      `INSERT INTO work_artist (work_id, artist_id, role, position)
       SELECT $1, a, r, p FROM unnest($2::uuid[], $3::text[]) WITH ORDINALITY AS c(a, r, p)`,
      [id, credits.map((c) => c[0]), credits.map((c) => c[1])],
    );
  }
  await dataSource.query(
    `INSERT INTO right_share (work_id, label_id, share_bps) SELECT $1, l, s FROM unnest($2::uuid[], $3::int[]) AS o(l, s)`,
    [id, owners.map((o) => o[0]), owners.map((o) => o[1])],
  );
  return { id, isrc, mainArtists: artists };
}

export interface ConsentFixture {
  scope: 'WORK' | 'ARTIST';
  subject: string;
  state: 'GRANTED' | 'REFUSED' | 'WITHDRAWN';
  useTypes?: string[];
  territories?: string[];
  excludedTerritories?: string[];
  validFrom?: Date;
  validUntil?: Date | null;
  recordedAt?: Date;
  recordedBy: string;
}

let recordings = 0;

/** Distinct, increasing recording times across the test file, in the past of any decision. */
function nextRecordedAt(): Date {
  recordings += 1;
  return new Date(Date.UTC(2024, 0, 1) + recordings * 1000);
}

/** Inserts consent records in one statement; returns their ids in order. */
export async function insertConsent(dataSource: DataSource, records: ConsentFixture[]): Promise<string[]> {
  if (records.length === 0) return [];
  const rows = (await dataSource.query(
    `INSERT INTO consent_record (scope, work_id, artist_id, use_types, territories, excluded_territories,
       valid_from, valid_until, state, granted_by_name, recorded_by, evidence_method, recorded_at)
     SELECT r.scope, CASE WHEN r.scope = 'WORK' THEN r.subject END, CASE WHEN r.scope = 'ARTIST' THEN r.subject END,
            r.use_types, r.territories, r.excluded_territories, r.valid_from, r.valid_until, r.state,
            'Declared Artist', r.recorded_by, 'SIGNED_DOCUMENT', r.recorded_at
     FROM jsonb_to_recordset($1::jsonb) AS r(scope text, subject uuid, use_types text[], territories text[],
       excluded_territories text[], valid_from timestamptz, valid_until timestamptz, state text, recorded_by uuid,
       recorded_at timestamptz, position int)
     ORDER BY r.position
     RETURNING id`,
    [
      JSON.stringify(
        records.map((r, position) => ({
          position,
          scope: r.scope,
          subject: r.subject,
          use_types: r.useTypes ?? ['TRAINING'],
          territories: r.territories ?? ['WORLD'],
          excluded_territories: r.excludedTerritories ?? [],
          valid_from: r.validFrom ?? new Date('2020-01-01T00:00:00Z'),
          valid_until: r.validUntil ?? null,
          state: r.state,
          recorded_by: r.recordedBy,
          recorded_at: r.recordedAt ?? nextRecordedAt(),
        })),
      ),
    ],
  )) as { id: string }[];
  return rows.map((row) => row.id);
}

/**
 * `count` works of one label in one statement, ISRCs `QZ<registrant>26<00001…>`, each with a MAIN artist
 * of its own, and a WORK-scope TRAINING grant (world, since `grantedFrom`) on every `grantEvery`-th one.
 */
export async function insertBulkWorks(
  dataSource: DataSource,
  bulk: { registrant: string; count: number; label: string; grantEvery: number; grantedFrom: string },
): Promise<string[]> {
  const prefix = `QZ${bulk.registrant}26`;
  await dataSource.query(
    `WITH works AS (
       INSERT INTO work (isrc, title) SELECT $1 || lpad(n::text, 5, '0'), 'Bulk ' || n FROM generate_series(1, $2::int) n
       RETURNING id, isrc),
     artists AS (INSERT INTO artist (name) SELECT 'Bulk artist ' || isrc FROM works RETURNING id, name),
     credits AS (
       INSERT INTO work_artist (work_id, artist_id, role, position)
       SELECT w.id, a.id, 'MAIN', 0 FROM works w JOIN artists a ON a.name = 'Bulk artist ' || w.isrc),
     shares AS (INSERT INTO right_share (work_id, label_id, share_bps) SELECT id, $3, 10000 FROM works)
     INSERT INTO consent_record (scope, work_id, use_types, territories, valid_from, state, granted_by_name, recorded_by, evidence_method)
     SELECT 'WORK', id, '{TRAINING}', '{WORLD}', $5::timestamptz, 'GRANTED', 'Bulk artist', $3, 'SIGNED_DOCUMENT'
     FROM works WHERE right(isrc, 5)::int % $4::int = 0`,
    [prefix, bulk.count, bulk.label, bulk.grantEvery, bulk.grantedFrom],
  );
  return Array.from({ length: bulk.count }, (_, i) => `${prefix}${String(i + 1).padStart(5, '0')}`);
}
