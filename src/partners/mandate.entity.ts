import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * What a distributor may do for a label. MANAGE_CATALOG is Accord's addition to DESIGN.md's three:
 * registering works on a label's behalf is a different trust than reading its catalog.
 */
export const MandatePermission = {
  READ_CATALOG: 'READ_CATALOG',
  MANAGE_CATALOG: 'MANAGE_CATALOG',
  MANAGE_CONSENT: 'MANAGE_CONSENT',
  NEGOTIATE: 'NEGOTIATE',
} as const;
export type MandatePermission = (typeof MandatePermission)[keyof typeof MandatePermission];

/** A mandate (alias `m`) in force now: granted, started, not ended, not revoked. */
export const MANDATE_IN_FORCE = `m.revoked_at IS NULL AND m.valid_from <= now() AND (m.valid_until IS NULL OR m.valid_until > now())`;

@Entity('mandate')
export class MandateEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'distributor_id', type: 'uuid' })
  distributorId!: string;

  @Column({ name: 'label_id', type: 'uuid' })
  labelId!: string;

  @Column({ type: 'text', array: true })
  permissions!: MandatePermission[];

  @Column({ name: 'valid_from', type: 'timestamptz' })
  validFrom!: Date;

  @Column({ name: 'valid_until', type: 'timestamptz', nullable: true })
  validUntil!: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @Column({ name: 'granted_by', type: 'uuid' })
  grantedBy!: string;

  @Column({ name: 'revoked_by', type: 'uuid', nullable: true })
  revokedBy!: string | null;

  @Column({ type: 'integer', default: 1 })
  version!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
