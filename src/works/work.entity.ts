import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity('work')
export class WorkEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** Normalized: upper case, no separators. */
  @Column({ type: 'text', unique: true })
  isrc!: string;

  @Column({ type: 'text' })
  title!: string;

  @Column({ type: 'text', nullable: true })
  iswc!: string | null;

  @Column({ name: 'release_date', type: 'date', nullable: true })
  releaseDate!: string | null;

  @Column({ type: 'integer', default: 1 })
  version!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
