import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Agreements: the row carries the lifecycle state and the optimistic-concurrency version; every
 * version of the terms is kept (`agreement_terms`), with the one in force and the pending one named
 * on the row; `agreement_history` records every transition with its actor.
 */
export class Agreements1764100000000 implements MigrationInterface {
  name = 'Agreements1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE agreement (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        licensor_id uuid NOT NULL REFERENCES partner(id),
        acting_distributor_id uuid REFERENCES partner(id),
        licensee_id uuid NOT NULL REFERENCES partner(id),
        state text NOT NULL CHECK (state IN ('DRAFT', 'PROPOSED', 'ACTIVE', 'SUSPENDED', 'TERMINATED', 'DECLINED')),
        version integer NOT NULL DEFAULT 1,
        terms_in_force integer,
        pending_terms integer,
        termination_reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX agreement_licensor_idx ON agreement (licensor_id, created_at, id)`);
    await queryRunner.query(`CREATE INDEX agreement_licensee_idx ON agreement (licensee_id, state)`);
    await queryRunner.query(`
      CREATE TABLE agreement_terms (
        agreement_id uuid NOT NULL REFERENCES agreement(id),
        terms_version integer NOT NULL,
        use_types text[] NOT NULL CHECK (cardinality(use_types) > 0),
        territories text[] NOT NULL CHECK (cardinality(territories) > 0),
        excluded_territories text[] NOT NULL DEFAULT '{}',
        starts_at timestamptz NOT NULL,
        ends_at timestamptz CHECK (ends_at > starts_at),
        catalog_scope text NOT NULL CHECK (catalog_scope IN ('ALL', 'SELECTED')),
        compensation jsonb NOT NULL,
        drafted_by uuid NOT NULL REFERENCES partner(id),
        drafted_at timestamptz NOT NULL DEFAULT now(),
        proposed_by uuid REFERENCES partner(id),
        proposed_at timestamptz,
        accepted_by uuid REFERENCES partner(id),
        accepted_at timestamptz,
        declined_by uuid REFERENCES partner(id),
        declined_at timestamptz,
        PRIMARY KEY (agreement_id, terms_version)
      )`);
    await queryRunner.query(`
      ALTER TABLE agreement
        ADD FOREIGN KEY (id, terms_in_force) REFERENCES agreement_terms (agreement_id, terms_version) DEFERRABLE INITIALLY DEFERRED,
        ADD FOREIGN KEY (id, pending_terms) REFERENCES agreement_terms (agreement_id, terms_version) DEFERRABLE INITIALLY DEFERRED`);
    await queryRunner.query(`
      CREATE TABLE agreement_work (
        agreement_id uuid NOT NULL,
        terms_version integer NOT NULL,
        work_id uuid NOT NULL REFERENCES work(id),
        PRIMARY KEY (agreement_id, terms_version, work_id),
        FOREIGN KEY (agreement_id, terms_version) REFERENCES agreement_terms (agreement_id, terms_version)
      )`);
    await queryRunner.query(`CREATE INDEX agreement_work_work_idx ON agreement_work (work_id)`);
    await queryRunner.query(`
      CREATE TABLE agreement_history (
        id bigserial PRIMARY KEY,
        agreement_id uuid NOT NULL REFERENCES agreement(id),
        version integer NOT NULL,
        terms_version integer,
        transition text NOT NULL,
        from_state text,
        to_state text NOT NULL,
        actor_id uuid NOT NULL REFERENCES partner(id),
        acting_for_id uuid REFERENCES partner(id),
        reason text,
        occurred_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX agreement_history_agreement_idx ON agreement_history (agreement_id, id)`);
  }

  async down(): Promise<void> {
    throw new Error('Accord migrations are forward only');
  }
}
