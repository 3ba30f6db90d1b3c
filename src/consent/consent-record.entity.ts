import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const ConsentScope = { WORK: 'WORK', ARTIST: 'ARTIST' } as const;
export type ConsentScope = (typeof ConsentScope)[keyof typeof ConsentScope];

export const ConsentState = { GRANTED: 'GRANTED', REFUSED: 'REFUSED', WITHDRAWN: 'WITHDRAWN' } as const;
export type ConsentState = (typeof ConsentState)[keyof typeof ConsentState];

/** How the artist's choice was evidenced; kept with the record, shown to owners and internal only. */
export const EvidenceMethod = {
  SIGNED_DOCUMENT: 'SIGNED_DOCUMENT',
  ELECTRONIC_SIGNATURE: 'ELECTRONIC_SIGNATURE',
  CONTRACT_CLAUSE: 'CONTRACT_CLAUSE',
  WRITTEN_STATEMENT: 'WRITTEN_STATEMENT',
  ARTIST_PORTAL: 'ARTIST_PORTAL',
} as const;
export type EvidenceMethod = (typeof EvidenceMethod)[keyof typeof EvidenceMethod];

/**
 * One artist's (or rights holder's) choice about AI use of a work or of everything an artist is MAIN on.
 * Append-only (a database trigger refuses UPDATE and DELETE): a withdrawal is a new WITHDRAWN record.
 */
@Entity('consent_record')
export class ConsentRecordEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  scope!: ConsentScope;

  @Column({ name: 'work_id', type: 'uuid', nullable: true })
  workId!: string | null;

  @Column({ name: 'artist_id', type: 'uuid', nullable: true })
  artistId!: string | null;

  @Column({ name: 'use_types', type: 'text', array: true })
  useTypes!: string[];

  @Column({ type: 'text', array: true })
  territories!: string[];

  @Column({ name: 'excluded_territories', type: 'text', array: true })
  excludedTerritories!: string[];

  @Column({ name: 'valid_from', type: 'timestamptz' })
  validFrom!: Date;

  @Column({ name: 'valid_until', type: 'timestamptz', nullable: true })
  validUntil!: Date | null;

  @Column({ type: 'text' })
  state!: ConsentState;

  /** The artist as declared to the recording partner (not necessarily a catalog artist). */
  @Column({ name: 'granted_by_name', type: 'text' })
  grantedByName!: string;

  @Column({ name: 'granted_by_isni', type: 'text', nullable: true })
  grantedByIsni!: string | null;

  @Column({ name: 'recorded_by', type: 'uuid' })
  recordedBy!: string;

  @Column({ name: 'evidence_method', type: 'text' })
  evidenceMethod!: EvidenceMethod;

  /** SHA-256 of the evidence document, lower-case hex. */
  @Column({ name: 'evidence_document_hash', type: 'text', nullable: true })
  evidenceDocumentHash!: string | null;

  @Column({ name: 'evidence_url', type: 'text', nullable: true })
  evidenceUrl!: string | null;

  /** Set by the database after the subject's row lock is held, so it orders records per subject by commit. */
  @Column({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt!: Date;
}
