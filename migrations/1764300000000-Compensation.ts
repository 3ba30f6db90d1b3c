import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Usage reports, their lines (violations included) and the ledger. The ledger is append-only, enforced
 * by the database itself: a correction is a reversing entry (same kind, opposite amount, naming the
 * entry it reverses, at most once), never an UPDATE or DELETE.
 */
export class Compensation1764300000000 implements MigrationInterface {
  name = 'Compensation1764300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE usage_report (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        ai_partner_id uuid NOT NULL REFERENCES partner(id),
        agreement_id uuid NOT NULL REFERENCES agreement(id),
        period_start timestamptz NOT NULL,
        period_end timestamptz NOT NULL CHECK (period_end > period_start),
        statement_period text NOT NULL CHECK (statement_period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
        territory text NOT NULL,
        currency text NOT NULL,
        idempotency_key text NOT NULL,
        payload_digest text NOT NULL,
        line_count integer NOT NULL,
        violation_count integer NOT NULL,
        reversed_at timestamptz,
        reversed_by uuid REFERENCES partner(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (ai_partner_id, idempotency_key)
      )`);
    await queryRunner.query(`CREATE INDEX usage_report_agreement_idx ON usage_report (agreement_id, statement_period)`);
    await queryRunner.query(`
      CREATE TABLE usage_line (
        report_id uuid NOT NULL REFERENCES usage_report(id),
        line_number integer NOT NULL,
        work_id uuid NOT NULL REFERENCES work(id),
        use_type text NOT NULL,
        units bigint NOT NULL CHECK (units >= 0),
        revenue_minor bigint CHECK (revenue_minor >= 0),
        decision_id uuid,
        violation_reasons text[] NOT NULL DEFAULT '{}',
        PRIMARY KEY (report_id, line_number)
      )`);
    await queryRunner.query(`CREATE INDEX usage_line_violation_idx ON usage_line (report_id) WHERE cardinality(violation_reasons) > 0`);
    await queryRunner.query(`
      CREATE TABLE ledger_entry (
        id bigserial PRIMARY KEY,
        report_id uuid NOT NULL REFERENCES usage_report(id),
        agreement_id uuid NOT NULL REFERENCES agreement(id),
        ai_partner_id uuid NOT NULL REFERENCES partner(id),
        rightsholder_id uuid NOT NULL REFERENCES partner(id),
        work_id uuid REFERENCES work(id),
        use_type text,
        kind text NOT NULL CHECK (kind IN ('USAGE', 'FLAT_FEE', 'MINIMUM_GUARANTEE')),
        statement_period text NOT NULL,
        currency text NOT NULL,
        units bigint NOT NULL DEFAULT 0,
        amount_minor bigint NOT NULL,
        reverses_entry_id bigint UNIQUE REFERENCES ledger_entry(id),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX ledger_rightsholder_idx ON ledger_entry (rightsholder_id, statement_period, currency)`);
    await queryRunner.query(`CREATE INDEX ledger_ai_partner_idx ON ledger_entry (ai_partner_id, statement_period, currency)`);
    await queryRunner.query(`CREATE INDEX ledger_agreement_idx ON ledger_entry (agreement_id, statement_period)`);
    await queryRunner.query(`CREATE INDEX ledger_report_idx ON ledger_entry (report_id)`);
    await queryRunner.query(`
      CREATE FUNCTION ledger_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'ledger_entry is append-only: write a reversing entry instead';
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER ledger_entry_append_only BEFORE UPDATE OR DELETE ON ledger_entry
      FOR EACH ROW EXECUTE FUNCTION ledger_is_append_only()`);
  }

  async down(): Promise<void> {
    throw new Error('Accord migrations are forward only');
  }
}
