import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Partners, mandates, the catalog and the change-event outbox. */
export class Foundation1764000000000 implements MigrationInterface {
  name = 'Foundation1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE partner (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL UNIQUE,
        type text NOT NULL CHECK (type IN ('LABEL', 'DISTRIBUTOR', 'AI_PARTNER', 'INTERNAL')),
        status text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'SUSPENDED')),
        dpid text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE mandate (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        distributor_id uuid NOT NULL REFERENCES partner(id),
        label_id uuid NOT NULL REFERENCES partner(id),
        permissions text[] NOT NULL CHECK (
          cardinality(permissions) > 0
          AND permissions <@ ARRAY['READ_CATALOG', 'MANAGE_CATALOG', 'MANAGE_CONSENT', 'NEGOTIATE']
        ),
        valid_from timestamptz NOT NULL,
        valid_until timestamptz CHECK (valid_until > valid_from),
        revoked_at timestamptz,
        granted_by uuid NOT NULL REFERENCES partner(id),
        revoked_by uuid REFERENCES partner(id),
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX mandate_distributor_idx ON mandate (distributor_id) WHERE revoked_at IS NULL`);
    await queryRunner.query(`CREATE INDEX mandate_label_idx ON mandate (label_id)`);

    await queryRunner.query(`
      CREATE TABLE work (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        isrc text NOT NULL UNIQUE CHECK (isrc ~ '^[A-Z]{2}[A-Z0-9]{3}[0-9]{7}$'),
        title text NOT NULL CHECK (length(title) > 0),
        iswc text CHECK (iswc ~ '^T[0-9]{10}$'),
        release_date date,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE artist (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL CHECK (length(name) > 0),
        isni text CHECK (isni ~ '^[0-9]{15}[0-9X]$')
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX artist_isni_key ON artist (isni) WHERE isni IS NOT NULL`);
    await queryRunner.query(`CREATE UNIQUE INDEX artist_name_without_isni_key ON artist (name) WHERE isni IS NULL`);
    await queryRunner.query(`
      CREATE TABLE work_artist (
        work_id uuid NOT NULL REFERENCES work(id) ON DELETE CASCADE,
        artist_id uuid NOT NULL REFERENCES artist(id),
        role text NOT NULL CHECK (role IN ('MAIN', 'FEATURED')),
        position integer NOT NULL,
        PRIMARY KEY (work_id, artist_id)
      )`);
    await queryRunner.query(`CREATE INDEX work_artist_artist_idx ON work_artist (artist_id)`);
    await queryRunner.query(`
      CREATE TABLE right_share (
        work_id uuid NOT NULL REFERENCES work(id) ON DELETE CASCADE,
        label_id uuid NOT NULL REFERENCES partner(id),
        share_bps integer NOT NULL CHECK (share_bps > 0 AND share_bps <= 10000),
        PRIMARY KEY (work_id, label_id)
      )`);
    await queryRunner.query(`CREATE INDEX right_share_label_idx ON right_share (label_id, work_id)`);

    await queryRunner.query(`
      CREATE TABLE change_event (
        id bigserial PRIMARY KEY,
        transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
        type text NOT NULL,
        entity_id text NOT NULL,
        actor_id uuid NOT NULL REFERENCES partner(id),
        partner_ids uuid[] NOT NULL DEFAULT '{}',
        occurred_at timestamptz NOT NULL DEFAULT now(),
        payload jsonb NOT NULL DEFAULT '{}'
      )`);
    await queryRunner.query(`CREATE INDEX change_event_partner_ids_idx ON change_event USING gin (partner_ids)`);
  }

  async down(): Promise<void> {
    throw new Error('Accord migrations are forward only');
  }
}
