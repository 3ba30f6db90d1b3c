import { Column, CreateDateColumn, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

export const LedgerEntryKind = {
  USAGE: 'USAGE',
  FLAT_FEE: 'FLAT_FEE',
  MINIMUM_GUARANTEE: 'MINIMUM_GUARANTEE',
} as const;
export type LedgerEntryKind = (typeof LedgerEntryKind)[keyof typeof LedgerEntryKind];

@Entity('usage_report')
export class UsageReportEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'ai_partner_id', type: 'uuid' })
  aiPartnerId!: string;

  @Column({ name: 'agreement_id', type: 'uuid' })
  agreementId!: string;

  @Column({ name: 'period_start', type: 'timestamptz' })
  periodStart!: Date;

  @Column({ name: 'period_end', type: 'timestamptz' })
  periodEnd!: Date;

  /** The calendar month (UTC) whose statement the report's entries belong to: "YYYY-MM". */
  @Column({ name: 'statement_period', type: 'text' })
  statementPeriod!: string;

  @Column({ type: 'text' })
  territory!: string;

  @Column({ type: 'text' })
  currency!: string;

  @Column({ name: 'idempotency_key', type: 'text' })
  idempotencyKey!: string;

  /** sha-256 of the canonical payload: the same key with another payload is refused. */
  @Column({ name: 'payload_digest', type: 'text' })
  payloadDigest!: string;

  @Column({ name: 'line_count', type: 'integer' })
  lineCount!: number;

  @Column({ name: 'violation_count', type: 'integer' })
  violationCount!: number;

  @Column({ name: 'reversed_at', type: 'timestamptz', nullable: true })
  reversedAt!: Date | null;

  @Column({ name: 'reversed_by', type: 'uuid', nullable: true })
  reversedBy!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

@Entity('usage_line')
export class UsageLineEntity {
  @PrimaryColumn({ name: 'report_id', type: 'uuid' })
  reportId!: string;

  @PrimaryColumn({ name: 'line_number', type: 'integer' })
  lineNumber!: number;

  @Column({ name: 'work_id', type: 'uuid' })
  workId!: string;

  @Column({ name: 'use_type', type: 'text' })
  useType!: string;

  @Column({ type: 'bigint' })
  units!: string;

  @Column({ name: 'revenue_minor', type: 'bigint', nullable: true })
  revenueMinor!: string | null;

  @Column({ name: 'decision_id', type: 'uuid', nullable: true })
  decisionId!: string | null;

  /** Empty when the use was allowed; otherwise why the decision rule denies it (not paid). */
  @Column({ name: 'violation_reasons', type: 'text', array: true })
  violationReasons!: string[];
}

@Entity('ledger_entry')
export class LedgerEntryEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'report_id', type: 'uuid' })
  reportId!: string;

  @Column({ name: 'agreement_id', type: 'uuid' })
  agreementId!: string;

  @Column({ name: 'ai_partner_id', type: 'uuid' })
  aiPartnerId!: string;

  @Column({ name: 'rightsholder_id', type: 'uuid' })
  rightsholderId!: string;

  @Column({ name: 'work_id', type: 'uuid', nullable: true })
  workId!: string | null;

  @Column({ name: 'use_type', type: 'text', nullable: true })
  useType!: string | null;

  @Column({ type: 'text' })
  kind!: LedgerEntryKind;

  @Column({ name: 'statement_period', type: 'text' })
  statementPeriod!: string;

  @Column({ type: 'text' })
  currency!: string;

  @Column({ type: 'bigint' })
  units!: string;

  @Column({ name: 'amount_minor', type: 'bigint' })
  amountMinor!: string;

  @Column({ name: 'reverses_entry_id', type: 'bigint', nullable: true })
  reversesEntryId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
