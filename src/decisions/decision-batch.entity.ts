import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A batch of decisions as answered, kept so that a usage report can cite its decisionId (and the ISRCs
 * it allowed) and a receipt's digest can be checked against what the gateway recorded.
 */
@Entity('decision_batch')
export class DecisionBatchEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'ai_partner_id', type: 'uuid' })
  aiPartnerId!: string;

  /** The AI partner itself, or the internal tool that asked on its behalf. */
  @Column({ name: 'requested_by', type: 'uuid' })
  requestedBy!: string;

  @Column({ name: 'use_type', type: 'text' })
  useType!: string;

  @Column({ type: 'text' })
  territory!: string;

  /** The instant the decisions are about (`at`). */
  @Column({ name: 'decided_for', type: 'timestamptz' })
  decidedFor!: Date;

  @Column({ name: 'evaluated_at', type: 'timestamptz' })
  evaluatedAt!: Date;

  @Column({ name: 'work_count', type: 'integer' })
  workCount!: number;

  @Column({ type: 'text' })
  digest!: string;

  @Column({ name: 'allowed_isrcs', type: 'text', array: true })
  allowedIsrcs!: string[];
}
