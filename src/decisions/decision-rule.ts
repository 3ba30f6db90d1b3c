import { coversTerritorySql } from '../common/scalars/territory';

/**
 * The decision rule of DESIGN.md ("The decision") in SQL, shared by `consentDecisions` and
 * `licensedWorks`. Parameters: $1 the ISRCs (or, for licensedWorks, the ISRC to continue after), $2 the
 * AI partner (uuid), $3 the use type, $4 the territory, $5 the instant decided about.
 *
 * Agreements: for every rights holder L of a work, an agreement applies when P is its licensee, L its
 * licensor, its stored state is ACTIVE and the terms in force include the use, cover the territory,
 * are in term at $5, and include the work (catalog scope ALL, or the work selected for those terms).
 * When none applies for some L, the agreements between P and L for this use and work that fail only
 * on state or dates or territory explain why (AGREEMENT_SUSPENDED, OUTSIDE_TERM, TERRITORY_EXCLUDED).
 *
 * Consent: the latest WORK-scope record in force at $5 covering the use and territory decides for the
 * whole work; without one, each MAIN artist's latest ARTIST-scope record in force does. A record in
 * force means valid_from <= $5 < valid_until. "Latest" is by recorded_at, which the database sets
 * under the subject's row lock. A work with no MAIN artist and no WORK-scope record has no consent.
 */
const TERRITORY = '$4::text';

/** A consent record (alias c) in force at $5 covering the use and the territory. */
const CONSENT_IN_FORCE = `$3::text = ANY(c.use_types) AND c.valid_from <= $5::timestamptz
  AND (c.valid_until IS NULL OR $5::timestamptz < c.valid_until) AND ${coversTerritorySql('c', TERRITORY)}`;

const LATEST = 'ORDER BY c.recorded_at DESC, c.id DESC LIMIT 1';

/** The partner's agreements for the use, with what (besides the catalog scope) keeps each from applying. */
const OFFERED = `
  SELECT ag.id, ag.licensor_id, t.terms_version, t.catalog_scope = 'ALL' AS whole_catalog,
         ag.state = 'SUSPENDED' AS suspended,
         NOT (t.starts_at <= $5::timestamptz AND (t.ends_at IS NULL OR $5::timestamptz < t.ends_at)) AS outside_term,
         NOT ${coversTerritorySql('t', TERRITORY)} AS territory_excluded
  FROM agreement ag
  JOIN agreement_terms t ON t.agreement_id = ag.id AND t.terms_version = ag.terms_in_force
  WHERE ag.licensee_id = $2::uuid AND ag.state IN ('ACTIVE', 'SUSPENDED') AND $3::text = ANY(t.use_types)`;

const IN_CATALOG_SCOPE = `(o.whole_catalog OR EXISTS (
  SELECT 1 FROM agreement_work aw
  WHERE aw.agreement_id = o.id AND aw.terms_version = o.terms_version AND aw.work_id = rs.work_id))`;

/**
 * One row per asked ISRC ($1, in order): the reasons (comma-separated, empty when allowed) and the ids
 * relied on, as comma-separated uuids in no particular order. Lists come back as text, not arrays,
 * because parsing ten thousand Postgres arrays in Node costs more than the query.
 *
 * Every table is read with one index scan for the whole batch (`= ANY(array)`), never one probe per
 * work and never a scan of the catalog, so the cost follows the batch, not the catalog.
 */
export const DECISION_SQL = `
WITH known AS MATERIALIZED (
  SELECT w.id AS work_id, w.isrc FROM work w WHERE w.isrc = ANY($1::text[])
),
batch AS MATERIALIZED (SELECT array_agg(work_id) AS work_ids FROM known),
offered AS MATERIALIZED (${OFFERED}),
holder AS (
  SELECT rs.work_id, rs.label_id,
         string_agg(o.id::text, ',') FILTER (WHERE NOT (o.suspended OR o.outside_term OR o.territory_excluded)) AS agreements,
         bool_or(o.suspended) AS suspended,
         bool_or(o.outside_term) AS outside_term,
         bool_or(o.territory_excluded) AS territory_excluded
  FROM right_share rs
  LEFT JOIN offered o ON o.licensor_id = rs.label_id AND ${IN_CATALOG_SCOPE}
  WHERE rs.work_id = ANY((SELECT work_ids FROM batch)::uuid[])
  GROUP BY rs.work_id, rs.label_id
),
licence AS (
  SELECT work_id,
         string_agg(agreements, ',') AS agreements,
         string_agg(label_id::text, ',') FILTER (WHERE agreements IS NULL) AS unlicensed,
         bool_or(suspended) FILTER (WHERE agreements IS NULL) AS suspended,
         bool_or(outside_term) FILTER (WHERE agreements IS NULL) AS outside_term,
         bool_or(territory_excluded) FILTER (WHERE agreements IS NULL) AS territory_excluded
  FROM holder
  GROUP BY work_id
),
work_record AS MATERIALIZED (
  SELECT DISTINCT ON (c.work_id) c.work_id, c.id, c.state
  FROM consent_record c
  WHERE c.scope = 'WORK' AND c.work_id = ANY((SELECT work_ids FROM batch)::uuid[]) AND ${CONSENT_IN_FORCE}
  ORDER BY c.work_id, c.recorded_at DESC, c.id DESC
),
main_artist AS MATERIALIZED (
  SELECT wa.work_id, wa.artist_id
  FROM work_artist wa
  WHERE wa.role = 'MAIN' AND wa.work_id = ANY((SELECT work_ids FROM batch)::uuid[])
    AND NOT EXISTS (SELECT 1 FROM work_record wr WHERE wr.work_id = wa.work_id)
),
artist_record AS (
  SELECT DISTINCT ON (c.artist_id) c.artist_id, c.id, c.state
  FROM consent_record c
  WHERE c.scope = 'ARTIST' AND c.artist_id = ANY((SELECT array_agg(artist_id) FROM main_artist)::uuid[]) AND ${CONSENT_IN_FORCE}
  ORDER BY c.artist_id, c.recorded_at DESC, c.id DESC
),
consent AS (
  SELECT work_id,
         bool_or(id IS NULL) AS missing,
         bool_or(state = 'REFUSED') AS refused,
         bool_or(state = 'WITHDRAWN') AS withdrawn,
         string_agg(id::text, ',') AS records
  FROM (
    SELECT work_id, id, state FROM work_record
    UNION ALL
    SELECT ma.work_id, ar.id, ar.state FROM main_artist ma LEFT JOIN artist_record ar ON ar.artist_id = ma.artist_id
  ) decisive
  GROUP BY work_id
)
SELECT asked.isrc,
       concat_ws(',',
         CASE WHEN k.work_id IS NULL THEN 'UNKNOWN_WORK' END,
         CASE WHEN k.work_id IS NOT NULL AND (l.work_id IS NULL OR l.unlicensed IS NOT NULL) THEN 'NO_AGREEMENT' END,
         CASE WHEN l.suspended THEN 'AGREEMENT_SUSPENDED' END,
         CASE WHEN l.outside_term THEN 'OUTSIDE_TERM' END,
         CASE WHEN l.territory_excluded THEN 'TERRITORY_EXCLUDED' END,
         CASE WHEN k.work_id IS NOT NULL AND (c.work_id IS NULL OR c.missing) THEN 'NO_CONSENT' END,
         CASE WHEN c.refused THEN 'CONSENT_REFUSED' END,
         CASE WHEN c.withdrawn THEN 'CONSENT_WITHDRAWN' END) AS reasons,
       coalesce(l.unlicensed, '') AS unlicensed,
       coalesce(l.agreements, '') AS agreements,
       coalesce(c.records, '') AS records
FROM unnest($1::text[]) WITH ORDINALITY AS asked(isrc, ordinal)
LEFT JOIN known k ON k.isrc = asked.isrc
LEFT JOIN licence l ON l.work_id = k.work_id
LEFT JOIN consent c ON c.work_id = k.work_id
ORDER BY asked.ordinal`;

/**
 * Up to this many ISRCs, DECISION_SQL runs as a prepared statement: its plan (~2 ms to make) outweighs
 * executing a few works, and the generic plan is as good as a custom one up to a few hundred ISRCs;
 * beyond, a plan fitted to the batch size runs markedly faster.
 */
export const PREPARED_BATCH_LIMIT = 300;

export interface DecisionRow {
  isrc: string;
  /** Comma-separated DecisionReason values; empty when the use is allowed. */
  reasons: string;
  /** Comma-separated label uuids. */
  unlicensed: string;
  /** Comma-separated agreement uuids. */
  agreements: string;
  /** Comma-separated consent record uuids. */
  records: string;
}

/**
 * The consent part of the rule as a condition on work alias `w`: the decisive records all GRANTED. The
 * MAIN artists are read through an aggregate so that each work probes its own credits (an EXISTS here
 * would be turned into a hash of every credit in the catalog).
 */
const CONSENT_GRANTED = `
  CASE (SELECT c.state FROM consent_record c WHERE c.scope = 'WORK' AND c.work_id = w.id AND ${CONSENT_IN_FORCE} ${LATEST})
    WHEN 'GRANTED' THEN true
    WHEN 'REFUSED' THEN false
    WHEN 'WITHDRAWN' THEN false
    ELSE coalesce((
      SELECT bool_and((
        SELECT c.state FROM consent_record c
        WHERE c.scope = 'ARTIST' AND c.artist_id = wa.artist_id AND ${CONSENT_IN_FORCE} ${LATEST}
      ) IS NOT DISTINCT FROM 'GRANTED')
      FROM work_artist wa WHERE wa.work_id = w.id AND wa.role = 'MAIN'), false)
  END`;

/**
 * The ids of the works the rule allows, in ISRC order after $1 (exclusive, '' for the start), at most $6.
 * Walks the ISRC index and stops after the page: cheap when the partner may use a fair share of the
 * catalog, a longer walk when it may use only a sliver (then most rows fail the first, cheap test).
 */
export const LICENSED_WORKS_SQL = `
WITH offered AS MATERIALIZED (${OFFERED}),
applying AS MATERIALIZED (
  SELECT * FROM offered o WHERE NOT (o.suspended OR o.outside_term OR o.territory_excluded)
)
SELECT w.id, w.isrc
FROM work w
WHERE w.isrc > $1::text
  AND EXISTS (SELECT 1 FROM right_share rs WHERE rs.work_id = w.id)
  AND NOT EXISTS (
    SELECT 1 FROM right_share rs
    WHERE rs.work_id = w.id
      AND NOT EXISTS (SELECT 1 FROM applying o WHERE o.licensor_id = rs.label_id AND ${IN_CATALOG_SCOPE}))
  AND ${CONSENT_GRANTED}
ORDER BY w.isrc
LIMIT $6::int`;
