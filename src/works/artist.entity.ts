import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('artist')
export class ArtistEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  /** An artist with an ISNI is identified by it; one without is identified by its exact name. */
  @Column({ type: 'text', nullable: true })
  isni!: string | null;
}
