import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The work changes on given ISRCs after a position: what a consentChanged follower reads when it starts
 * (src/consent/consent-changed.ts), without scanning the outbox.
 */
export class WorkChangesByIsrc1764500000000 implements MigrationInterface {
  name = 'WorkChangesByIsrc1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE INDEX change_event_work_isrc ON change_event ((payload->>'isrc'), transaction_id, id)
      WHERE type IN ('WORK_REGISTERED', 'WORK_UPDATED')`);
  }

  async down(): Promise<void> {
    throw new Error('Accord migrations are forward only');
  }
}
