import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Points each partner has spent per minute, shared by every replica (see src/server/cost-budget.ts). */
export class CostBudget1764400000000 implements MigrationInterface {
  name = 'CostBudget1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE UNLOGGED TABLE cost_budget (
        partner_id uuid NOT NULL,
        window_start timestamptz NOT NULL,
        points bigint NOT NULL,
        -- What the last lease granted: lets one upsert both grant and report its grant atomically.
        last_grant bigint NOT NULL,
        PRIMARY KEY (partner_id, window_start)
      )`);
  }

  async down(): Promise<void> {
    throw new Error('Accord migrations are forward only');
  }
}
