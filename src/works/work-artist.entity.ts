import { Column, Entity, PrimaryColumn } from 'typeorm';

export const ArtistRole = { MAIN: 'MAIN', FEATURED: 'FEATURED' } as const;
export type ArtistRole = (typeof ArtistRole)[keyof typeof ArtistRole];

@Entity('work_artist')
export class WorkArtistEntity {
  @PrimaryColumn({ name: 'work_id', type: 'uuid' })
  workId!: string;

  @PrimaryColumn({ name: 'artist_id', type: 'uuid' })
  artistId!: string;

  @Column({ type: 'text' })
  role!: ArtistRole;

  /** Credit order as registered. */
  @Column({ type: 'integer' })
  position!: number;
}
