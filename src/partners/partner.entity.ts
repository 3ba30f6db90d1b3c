import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const PartnerType = {
  LABEL: 'LABEL',
  DISTRIBUTOR: 'DISTRIBUTOR',
  AI_PARTNER: 'AI_PARTNER',
  INTERNAL: 'INTERNAL',
} as const;
export type PartnerType = (typeof PartnerType)[keyof typeof PartnerType];
export const PARTNER_TYPES = Object.values(PartnerType);

export const PartnerStatus = { ACTIVE: 'ACTIVE', SUSPENDED: 'SUSPENDED' } as const;
export type PartnerStatus = (typeof PartnerStatus)[keyof typeof PartnerStatus];

@Entity('partner')
export class PartnerEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text', unique: true })
  name!: string;

  @Column({ type: 'text' })
  type!: PartnerType;

  @Column({ type: 'text' })
  status!: PartnerStatus;

  /** DDEX party id, when the partner has one. */
  @Column({ type: 'text', nullable: true })
  dpid!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
