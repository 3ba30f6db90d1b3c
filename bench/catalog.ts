import type { Client } from 'pg';

/**
 * A deterministic benchmark catalog, written with bulk SQL (generate_series), never through the API:
 * the same size always gives the same rows (ids are md5 of their ordinal, choices are hashint4 of it).
 *
 * Shape, per size N: 60 labels; N/3 artists; works with one MAIN artist (20% a second, 15% a FEATURED
 * one); shares 89% single owner, 10% two owners (60/40), 1% three (50/30/20). The benchmarked AI partner
 * ("Bench AI 1") holds ACTIVE catalog-wide agreements for TRAINING with 42 labels, SELECTED-scope ones
 * with 2 more, and suspended, expired and FR-excluding ones with 10 others; four other AI partners hold
 * agreements too. Consent: 75% of artists granted and 5% refused at ARTIST scope (some with older
 * records for other uses), 30% of works granted, 3% refused and 4% granted-then-withdrawn at WORK scope.
 */
export const CATALOG_VERSION = 3;
export const LABELS = 60;
export const BENCH_PARTNER = 'Bench AI 1';

/** The ISRC of work number n (1-based). */
export function benchIsrc(n: number): string {
  return `QZBNC${String(n).padStart(7, '0')}`;
}

const pick = (salt: number, modulo: number) => `(abs(hashint8(n::bigint * 7919 + ${salt})) % ${modulo})::int`;

/** Generates in one transaction (a failed run leaves nothing behind), then vacuums for index-only scans. */
export async function generateCatalog(client: Client, works: number, log: (line: string) => void): Promise<void> {
  await client.query('BEGIN');
  try {
    await insertCatalog(client, works, log);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
  const started = Date.now();
  await client.query('VACUUM ANALYZE');
  log(`  vacuum analyze (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

async function insertCatalog(client: Client, works: number, log: (line: string) => void): Promise<void> {
  const artists = Math.max(1, Math.floor(works / 3));
  const step = async (label: string, sql: string, params: unknown[] = []) => {
    const started = Date.now();
    await client.query(sql, params);
    log(`  ${label} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  };
  await step(
    'partners',
    `INSERT INTO partner (id, name, type)
     SELECT md5('bench-label-' || n)::uuid, 'Bench Label ' || n, 'LABEL' FROM generate_series(1, ${LABELS}) n
     UNION ALL
     SELECT md5('bench-ai-' || n)::uuid, 'Bench AI ' || n, 'AI_PARTNER' FROM generate_series(1, 5) n`,
  );
  await step(
    'artists',
    `INSERT INTO artist (id, name) SELECT md5('bench-artist-' || n)::uuid, 'Bench Artist ' || n FROM generate_series(1, $1::int) n`,
    [artists],
  );
  await step(
    'works',
    `INSERT INTO work (id, isrc, title, release_date)
     SELECT md5('bench-work-' || n)::uuid, 'QZBNC' || lpad(n::text, 7, '0'), 'Bench Work ' || n,
            date '2000-01-01' + ${pick(1, 9000)}::int
     FROM generate_series(1, $1::int) n`,
    [works],
  );
  await step(
    'credits',
    `INSERT INTO work_artist (work_id, artist_id, role, position)
     SELECT md5('bench-work-' || n)::uuid, md5('bench-artist-' || (1 + ${pick(2, artists)}))::uuid, 'MAIN', 0
     FROM generate_series(1, $1::int) n
     UNION ALL
     SELECT md5('bench-work-' || n)::uuid, md5('bench-artist-' || (1 + (${pick(2, artists)} + 1 + ${pick(3, Math.max(1, artists - 1))}) % ${artists}))::uuid, 'MAIN', 1
     FROM generate_series(1, $1::int) n WHERE ${pick(4, 100)} < 20 AND ${artists} > 1
     UNION ALL
     SELECT md5('bench-work-' || n)::uuid, md5('bench-artist-' || (1 + (${pick(2, artists)} + ${artists} - 1) % ${artists}))::uuid, 'FEATURED', 2
     FROM generate_series(1, $1::int) n WHERE ${pick(5, 100)} < 15 AND ${artists} > 2
     ON CONFLICT DO NOTHING`,
    [works],
  );
  await step(
    'shares',
    `WITH w AS (
       SELECT md5('bench-work-' || n)::uuid AS work_id, 1 + ${pick(6, LABELS)} AS l1, ${pick(7, 100)} AS kind
       FROM generate_series(1, $1::int) n
     )
     INSERT INTO right_share (work_id, label_id, share_bps)
     SELECT work_id, md5('bench-label-' || l1)::uuid, CASE WHEN kind < 89 THEN 10000 WHEN kind < 99 THEN 6000 ELSE 5000 END FROM w
     UNION ALL
     SELECT work_id, md5('bench-label-' || (l1 % ${LABELS} + 1))::uuid, CASE WHEN kind < 99 THEN 4000 ELSE 3000 END FROM w WHERE kind >= 89
     UNION ALL
     SELECT work_id, md5('bench-label-' || ((l1 + 1) % ${LABELS} + 1))::uuid, 2000 FROM w WHERE kind >= 99`,
    [works],
  );
  await step(
    'agreements',
    `WITH spec AS (
       SELECT p AS partner, l AS label,
              CASE WHEN p > 1 THEN CASE WHEN l <= 30 THEN 'ALL' END
                   WHEN l <= 42 THEN 'ALL' WHEN l <= 44 THEN 'SELECTED' WHEN l <= 54 THEN 'ODD' END AS kind
       FROM generate_series(1, 5) p, generate_series(1, ${LABELS}) l
     ),
     made AS (
       INSERT INTO agreement (id, licensor_id, licensee_id, state, terms_in_force)
       SELECT md5('bench-agreement-' || partner || '-' || label)::uuid, md5('bench-label-' || label)::uuid,
              md5('bench-ai-' || partner)::uuid,
              CASE WHEN kind = 'ODD' AND label <= 47 THEN 'SUSPENDED' ELSE 'ACTIVE' END, 1
       FROM spec WHERE kind IS NOT NULL
       RETURNING id, licensor_id
     )
     INSERT INTO agreement_terms (agreement_id, terms_version, use_types, territories, excluded_territories,
       starts_at, ends_at, catalog_scope, compensation, drafted_by)
     SELECT md5('bench-agreement-' || partner || '-' || label)::uuid, 1, '{TRAINING,FINE_TUNING}', '{WORLD}',
            CASE WHEN kind = 'ODD' AND label > 50 THEN '{FR}'::text[] ELSE '{}'::text[] END,
            '2024-01-01', CASE WHEN kind = 'ODD' AND label BETWEEN 48 AND 50 THEN timestamptz '2025-01-01' END,
            CASE WHEN kind = 'SELECTED' THEN 'SELECTED' ELSE 'ALL' END,
            '{"model":"PER_USE","currency":"EUR","ratePerUnit":"0.01"}', md5('bench-label-' || label)::uuid
     FROM spec WHERE kind IS NOT NULL`,
  );
  await step(
    'selected works',
    `INSERT INTO agreement_work (agreement_id, terms_version, work_id)
     SELECT md5('bench-agreement-1-' || l.n)::uuid, 1, rs.work_id
     FROM generate_series(43, 44) l(n)
     JOIN right_share rs ON rs.label_id = md5('bench-label-' || l.n)::uuid
     WHERE abs(hashint4(hashtext(rs.work_id::text))) % 3 <> 0`,
  );
  const consentColumns = `(scope, work_id, artist_id, use_types, territories, excluded_territories, valid_from, valid_until,
    state, granted_by_name, recorded_by, evidence_method, recorded_at)`;
  await step(
    'artist consent',
    `INSERT INTO consent_record ${consentColumns}
     SELECT 'ARTIST', NULL::uuid, md5('bench-artist-' || n)::uuid, '{VOICE_MODEL}'::text[], '{WORLD}'::text[], '{}'::text[], timestamptz '2023-01-01', NULL::timestamptz,
            'GRANTED'::text, 'Bench Artist ' || n, md5('bench-label-1')::uuid, 'SIGNED_DOCUMENT'::text, timestamptz '2023-06-01' + n * interval '1 second'
     FROM generate_series(1, $1::int) n WHERE ${pick(8, 100)} < 10
     UNION ALL
     SELECT 'ARTIST', NULL::uuid, md5('bench-artist-' || n)::uuid, '{TRAINING,FINE_TUNING}'::text[], '{WORLD}'::text[], '{}'::text[], timestamptz '2024-01-01', NULL::timestamptz,
            CASE WHEN ${pick(9, 100)} < 75 THEN 'GRANTED' ELSE 'REFUSED' END, 'Bench Artist ' || n, md5('bench-label-1')::uuid,
            'ELECTRONIC_SIGNATURE', timestamptz '2024-06-01' + n * interval '1 second'
     FROM generate_series(1, $1::int) n WHERE ${pick(9, 100)} < 80`,
    [artists],
  );
  await step(
    'work consent',
    `INSERT INTO consent_record ${consentColumns}
     SELECT 'WORK', md5('bench-work-' || n)::uuid, NULL::uuid, '{TRAINING}'::text[], '{WORLD}'::text[], '{}'::text[], timestamptz '2024-01-01', NULL::timestamptz,
            CASE WHEN ${pick(10, 100)} < 34 THEN 'GRANTED' ELSE 'REFUSED' END, 'Bench Artist', md5('bench-label-1')::uuid,
            'SIGNED_DOCUMENT', timestamptz '2024-07-01' + n * interval '1 second'
     FROM generate_series(1, $1::int) n WHERE ${pick(10, 100)} < 37
     UNION ALL
     SELECT 'WORK', md5('bench-work-' || n)::uuid, NULL::uuid, '{TRAINING}'::text[], '{WORLD}'::text[], '{}'::text[], timestamptz '2025-01-01', NULL::timestamptz,
            'WITHDRAWN'::text, 'Bench Artist', md5('bench-label-1')::uuid, 'WRITTEN_STATEMENT'::text, timestamptz '2025-02-01' + n * interval '1 second'
     FROM generate_series(1, $1::int) n WHERE ${pick(10, 100)} BETWEEN 30 AND 33`,
    [works],
  );
}
