import { Column, CreateDateColumn, Entity, PrimaryColumn, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** Stored lifecycle states. EXPIRED is never stored: an ACTIVE or SUSPENDED agreement past its end reads EXPIRED. */
export const StoredAgreementState = {
  DRAFT: 'DRAFT',
  PROPOSED: 'PROPOSED',
  ACTIVE: 'ACTIVE',
  SUSPENDED: 'SUSPENDED',
  TERMINATED: 'TERMINATED',
  DECLINED: 'DECLINED',
} as const;
export type StoredAgreementState = (typeof StoredAgreementState)[keyof typeof StoredAgreementState];

export const AgreementState = { ...StoredAgreementState, EXPIRED: 'EXPIRED' } as const;
export type AgreementState = (typeof AgreementState)[keyof typeof AgreementState];

@Entity('agreement')
export class AgreementEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'licensor_id', type: 'uuid' })
  licensorId!: string;

  /** The distributor that negotiated for the licensor, when one did. */
  @Column({ name: 'acting_distributor_id', type: 'uuid', nullable: true })
  actingDistributorId!: string | null;

  @Column({ name: 'licensee_id', type: 'uuid' })
  licenseeId!: string;

  @Column({ type: 'text' })
  state!: StoredAgreementState;

  /** Optimistic-concurrency version: every mutation names the one it read. */
  @Column({ type: 'integer' })
  version!: number;

  @Column({ name: 'terms_in_force', type: 'integer', nullable: true })
  termsInForce!: number | null;

  /** The draft, the proposal, or an amendment awaiting the licensee. */
  @Column({ name: 'pending_terms', type: 'integer', nullable: true })
  pendingTerms!: number | null;

  @Column({ name: 'termination_reason', type: 'text', nullable: true })
  terminationReason!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

export const CatalogScope = { ALL: 'ALL', SELECTED: 'SELECTED' } as const;
export type CatalogScope = (typeof CatalogScope)[keyof typeof CatalogScope];

export const CompensationModel = { FLAT_FEE: 'FLAT_FEE', PER_USE: 'PER_USE', REVENUE_SHARE: 'REVENUE_SHARE' } as const;
export type CompensationModel = (typeof CompensationModel)[keyof typeof CompensationModel];

export const BillingPeriod = { MONTH: 'MONTH', QUARTER: 'QUARTER', YEAR: 'YEAR' } as const;
export type BillingPeriod = (typeof BillingPeriod)[keyof typeof BillingPeriod];

/**
 * The compensation model as stored (jsonb). Money is in minor units, as a string so bigints survive
 * JSON; rates are exact decimal strings.
 */
export interface StoredCompensation {
  model: CompensationModel;
  currency: string;
  /** FLAT_FEE */
  amountMinor?: string;
  period?: BillingPeriod;
  /** PER_USE: per unit, exact decimal in the currency's major unit, e.g. "0.0125". */
  ratePerUnit?: string;
  /** REVENUE_SHARE */
  bps?: number;
  minimumGuarantee?: { amountMinor: string; period: BillingPeriod } | null;
}

@Entity('agreement_terms')
export class AgreementTermsEntity {
  @PrimaryColumn({ name: 'agreement_id', type: 'uuid' })
  agreementId!: string;

  @PrimaryColumn({ name: 'terms_version', type: 'integer' })
  termsVersion!: number;

  @Column({ name: 'use_types', type: 'text', array: true })
  useTypes!: string[];

  @Column({ type: 'text', array: true })
  territories!: string[];

  @Column({ name: 'excluded_territories', type: 'text', array: true })
  excludedTerritories!: string[];

  @Column({ name: 'starts_at', type: 'timestamptz' })
  startsAt!: Date;

  @Column({ name: 'ends_at', type: 'timestamptz', nullable: true })
  endsAt!: Date | null;

  @Column({ name: 'catalog_scope', type: 'text' })
  catalogScope!: CatalogScope;

  @Column({ type: 'jsonb' })
  compensation!: StoredCompensation;

  @Column({ name: 'drafted_by', type: 'uuid' })
  draftedBy!: string;

  @Column({ name: 'drafted_at', type: 'timestamptz' })
  draftedAt!: Date;

  @Column({ name: 'proposed_by', type: 'uuid', nullable: true })
  proposedBy!: string | null;

  @Column({ name: 'proposed_at', type: 'timestamptz', nullable: true })
  proposedAt!: Date | null;

  @Column({ name: 'accepted_by', type: 'uuid', nullable: true })
  acceptedBy!: string | null;

  @Column({ name: 'accepted_at', type: 'timestamptz', nullable: true })
  acceptedAt!: Date | null;

  @Column({ name: 'declined_by', type: 'uuid', nullable: true })
  declinedBy!: string | null;

  @Column({ name: 'declined_at', type: 'timestamptz', nullable: true })
  declinedAt!: Date | null;
}

@Entity('agreement_history')
export class AgreementHistoryEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'agreement_id', type: 'uuid' })
  agreementId!: string;

  @Column({ type: 'integer' })
  version!: number;

  @Column({ name: 'terms_version', type: 'integer', nullable: true })
  termsVersion!: number | null;

  @Column({ type: 'text' })
  transition!: string;

  @Column({ name: 'from_state', type: 'text', nullable: true })
  fromState!: string | null;

  @Column({ name: 'to_state', type: 'text' })
  toState!: string;

  @Column({ name: 'actor_id', type: 'uuid' })
  actorId!: string;

  /** The label a distributor acted for. */
  @Column({ name: 'acting_for_id', type: 'uuid', nullable: true })
  actingForId!: string | null;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;
}
