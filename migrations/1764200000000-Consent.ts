import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Consent records (append-only history) and the decision batches answered to AI partners.
 *
 * The decision asks, per work, for "the latest record in force for this work (or this MAIN artist)
 * covering this use and territory". The two partial indexes below lead with the subject and order by
 * recency, and INCLUDE every column the rule filters on, so each lookup is an index-only scan of the
 * subject's (short) history, never a scan of the table.
 */
export class Consent1764200000000 implements MigrationInterface {
  name = 'Consent1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE consent_record (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        scope text NOT NULL CHECK (scope IN ('WORK', 'ARTIST')),
        work_id uuid REFERENCES work(id),
        artist_id uuid REFERENCES artist(id),
        use_types text[] NOT NULL CHECK (cardinality(use_types) > 0),
        territories text[] NOT NULL CHECK (cardinality(territories) > 0),
        excluded_territories text[] NOT NULL DEFAULT '{}',
        valid_from timestamptz NOT NULL,
        valid_until timestamptz CHECK (valid_until > valid_from),
        state text NOT NULL CHECK (state IN ('GRANTED', 'REFUSED', 'WITHDRAWN')),
        granted_by_name text NOT NULL CHECK (length(granted_by_name) > 0),
        granted_by_isni text CHECK (granted_by_isni ~ '^[0-9]{15}[0-9X]$'),
        recorded_by uuid NOT NULL REFERENCES partner(id),
        evidence_method text NOT NULL,
        evidence_document_hash text CHECK (evidence_document_hash ~ '^[0-9a-f]{64}$'),
        evidence_url text,
        recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        CHECK ((scope = 'WORK' AND work_id IS NOT NULL AND artist_id IS NULL)
            OR (scope = 'ARTIST' AND artist_id IS NOT NULL AND work_id IS NULL))
      )`);
    const ruleColumns = 'state, use_types, territories, excluded_territories, valid_from, valid_until';
    await queryRunner.query(
      `CREATE INDEX consent_record_work_idx ON consent_record (work_id, recorded_at DESC, id DESC)
       INCLUDE (${ruleColumns}) WHERE scope = 'WORK'`,
    );
    await queryRunner.query(
      `CREATE INDEX consent_record_artist_idx ON consent_record (artist_id, recorded_at DESC, id DESC)
       INCLUDE (${ruleColumns}) WHERE scope = 'ARTIST'`,
    );
    // The decision reads the MAIN artists of thousands of works at once: an index-only scan, without
    // visiting work_artist rows to filter out FEATURED credits.
    await queryRunner.query(`CREATE INDEX work_artist_main_idx ON work_artist (work_id, artist_id) WHERE role = 'MAIN'`);
    // ... and resolves thousands of ISRCs to work ids: index-only too, so a large catalog's rows stay cold.
    await queryRunner.query(`CREATE INDEX work_isrc_id_idx ON work (isrc) INCLUDE (id)`);

    // History is evidence: once written, a record is never changed or removed (a withdrawal is a new record).
    await queryRunner.query(`
      CREATE FUNCTION consent_record_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'consent_record is append-only: % refused', TG_OP;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER consent_record_append_only BEFORE UPDATE OR DELETE ON consent_record
      FOR EACH ROW EXECUTE FUNCTION consent_record_is_append_only()`);

    await queryRunner.query(`
      CREATE TABLE decision_batch (
        id uuid PRIMARY KEY,
        ai_partner_id uuid NOT NULL REFERENCES partner(id),
        requested_by uuid NOT NULL REFERENCES partner(id),
        use_type text NOT NULL,
        territory text NOT NULL,
        decided_for timestamptz NOT NULL,
        evaluated_at timestamptz NOT NULL,
        work_count integer NOT NULL,
        digest text NOT NULL,
        allowed_isrcs text[] NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX decision_batch_partner_idx ON decision_batch (ai_partner_id, evaluated_at)`);
  }

  async down(): Promise<void> {
    throw new Error('Accord migrations are forward only');
  }
}
