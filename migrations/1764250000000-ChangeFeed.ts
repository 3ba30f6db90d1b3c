import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the change feed and outbox retention read by: the (transaction_id, id) position that every
 * replica resumes from, the age that pruning deletes by, and the position through which rows have been
 * pruned (so a cursor older than that is refused instead of silently skipping pruned events).
 */
export class ChangeFeed1764250000000 implements MigrationInterface {
  name = 'ChangeFeed1764250000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX change_event_position_idx ON change_event (transaction_id, id)`);
    await queryRunner.query(`CREATE INDEX change_event_occurred_at_idx ON change_event (occurred_at)`);
    await queryRunner.query(`
      CREATE TABLE change_event_retention (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        pruned_through_transaction xid8 NOT NULL DEFAULT '0',
        pruned_through_id bigint NOT NULL DEFAULT 0
      )`);
    await queryRunner.query(`INSERT INTO change_event_retention DEFAULT VALUES`);
  }

  async down(): Promise<void> {
    throw new Error('Accord migrations are forward only');
  }
}
