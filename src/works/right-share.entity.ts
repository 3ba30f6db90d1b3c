import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A label's share of a work, in basis points; a work's shares sum to exactly 10000. */
@Entity('right_share')
export class RightShareEntity {
  @PrimaryColumn({ name: 'work_id', type: 'uuid' })
  workId!: string;

  @PrimaryColumn({ name: 'label_id', type: 'uuid' })
  labelId!: string;

  @Column({ name: 'share_bps', type: 'integer' })
  shareBps!: number;
}
