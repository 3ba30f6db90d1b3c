import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * The outbox: one row per change, written in the transaction that made the change. The table also has a
 * `transaction_id xid8` column (not mapped: TypeORM has no xid8 type) that lets a reader tell
 * committed-and-visible rows from rows whose transaction may still commit with a lower id than one
 * already seen: ids are not commit order.
 */
@Entity('change_event')
export class ChangeEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ type: 'text' })
  type!: string;

  @Column({ name: 'entity_id', type: 'text' })
  entityId!: string;

  @Column({ name: 'actor_id', type: 'uuid' })
  actorId!: string;

  /** Partners the change concerns (owners, parties); subscribers are filtered on it. */
  @Column({ name: 'partner_ids', type: 'uuid', array: true })
  partnerIds!: string[];

  @Column({ name: 'occurred_at', type: 'timestamptz', default: () => 'now()' })
  occurredAt!: Date;

  @Column({ type: 'jsonb' })
  payload!: Record<string, unknown>;
}
