import { In, type DataSource, type EntityManager } from 'typeorm';
import { lockOutWritesOf, transactionAs } from '../auth/transaction-as';
import { isInternal, type Viewer } from '../auth/viewer';
import { BadInputError, ConflictError, ForbiddenError, InvalidTransitionError, NotFoundError } from '../common/errors';
import { coalescingLoader } from '../db/coalescing-loader';
import { queryOnPool } from '../db/pool-query';
import { idOf, isUuid, toGlobalId } from '../common/relay/global-id';
import { ChangeType } from '../events/change-type';
import { appendChangeEvents } from '../events/outbox';
import { MANDATE_IN_FORCE, MandateEntity, type MandatePermission } from './mandate.entity';
import { PartnerEntity, PartnerStatus, PartnerType } from './partner.entity';
import type { ChangePartnerStatusInput, GrantMandateInput, RevokeMandateInput } from './partners.types';

interface ViewerRow {
  id: string;
  name: string;
  type: PartnerType;
  status: PartnerStatus;
  mandates: { labelId: string; permissions: MandatePermission[] }[];
}

export class PartnersService {
  /** Every request starts by reading its viewer: concurrent requests read theirs in one statement. */
  private readonly viewers = coalescingLoader<string, Viewer | undefined>((ids) => this.readViewers(ids));

  constructor(private readonly dataSource: DataSource) {}

  /**
   * The partner behind a token, with the mandates it holds now; undefined when there is no such partner.
   * Read from the database on every call (never cached), so a suspension is refused on the next request.
   */
  async loadViewer(partnerId: string): Promise<Viewer | undefined> {
    if (!isUuid(partnerId)) return undefined;
    return this.viewers.load(partnerId);
  }

  private async readViewers(partnerIds: readonly string[]): Promise<(Viewer | undefined)[]> {
    // Prepared: it runs before every request, and planning the join costs more than running it.
    const rows = await queryOnPool<ViewerRow>(
      this.dataSource,
      `SELECT p.id, p.name, p.type, p.status,
              COALESCE(json_agg(json_build_object('labelId', m.label_id, 'permissions', m.permissions))
                       FILTER (WHERE m.id IS NOT NULL), '[]') AS mandates
       FROM partner p
       LEFT JOIN mandate m ON m.distributor_id = p.id AND ${MANDATE_IN_FORCE}
       WHERE p.id = ANY($1::uuid[])
       GROUP BY p.id`,
      [[...new Set(partnerIds)]],
      'load-viewers',
    );
    const byId = new Map<string, Viewer>(
      rows.map((row) => [row.id, { partnerId: row.id, name: row.name, type: row.type, status: row.status, mandates: row.mandates }]),
    );
    return partnerIds.map((id) => byId.get(id));
  }

  /** Partners by id, in the order asked; every authenticated partner may know another's name and type. */
  async findPartners(ids: readonly string[]): Promise<(PartnerEntity | undefined)[]> {
    const rows = await this.dataSource.getRepository(PartnerEntity).findBy({ id: In([...ids]) });
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id));
  }

  async findPartnerByName(name: string): Promise<PartnerEntity | null> {
    return this.dataSource.getRepository(PartnerEntity).findOneBy({ name });
  }

  /** Mandates the given partners hold or granted, visible only to the parties and internal (filtered here). */
  async mandatesOf(viewer: Viewer, partnerIds: readonly string[]): Promise<MandateEntity[][]> {
    const visible = isInternal(viewer) ? [...partnerIds] : partnerIds.filter((id) => id === viewer.partnerId);
    const rows = visible.length
      ? await this.dataSource
          .getRepository(MandateEntity)
          .createQueryBuilder('m')
          .where('m.distributor_id = ANY(:ids) OR m.label_id = ANY(:ids)', { ids: visible })
          .orderBy('m.created_at')
          .getMany()
      : [];
    return partnerIds.map((id) => rows.filter((m) => m.distributorId === id || m.labelId === id));
  }

  async findMandate(viewer: Viewer, mandateId: string): Promise<MandateEntity | null> {
    const mandate = await this.dataSource.getRepository(MandateEntity).findOneBy({ id: mandateId });
    if (!mandate) return null;
    const party = viewer.partnerId === mandate.distributorId || viewer.partnerId === mandate.labelId;
    return party || isInternal(viewer) ? mandate : null;
  }

  async grantMandate(viewer: Viewer, input: GrantMandateInput): Promise<MandateEntity> {
    const labelId = this.grantingLabel(viewer, input.label);
    const distributorId = idOf('Partner', input.distributor, 'distributor');
    const permissions = [...new Set(input.permissions)];
    if (permissions.length === 0) {
      throw new BadInputError('permissions: at least one permission is required', { field: 'permissions' });
    }
    const validFrom = input.validFrom ?? new Date();
    if (input.validUntil && input.validUntil <= validFrom) {
      throw new BadInputError('validUntil must be after validFrom', { field: 'validUntil' });
    }
    return transactionAs(this.dataSource, viewer, async (manager, viewer) => {
      const [label, distributor] = await this.partnersOfType(manager, [
        { id: labelId, type: PartnerType.LABEL, field: 'label' },
        { id: distributorId, type: PartnerType.DISTRIBUTOR, field: 'distributor' },
      ]);
      const mandate = await manager.getRepository(MandateEntity).save(
        manager.getRepository(MandateEntity).create({
          distributorId: distributor.id,
          labelId: label.id,
          permissions,
          validFrom,
          validUntil: input.validUntil ?? null,
          grantedBy: viewer.partnerId,
        }),
      );
      await appendChangeEvents(manager, [
        {
          type: ChangeType.MANDATE_GRANTED,
          entityId: toGlobalId('Mandate', mandate.id),
          actorId: viewer.partnerId,
          partnerIds: [label.id, distributor.id],
          payload: { permissions, validFrom, validUntil: mandate.validUntil },
        },
      ]);
      return mandate;
    });
  }

  async revokeMandate(viewer: Viewer, input: RevokeMandateInput): Promise<MandateEntity> {
    const mandateId = idOf('Mandate', input.mandate, 'mandate');
    return transactionAs(this.dataSource, viewer, async (manager, viewer) => {
      const repository = manager.getRepository(MandateEntity);
      // A mandate's parties never change: who may revoke it is known before anything is locked.
      const parties = await repository.findOne({ where: { id: mandateId } });
      const mayRevoke = parties && (isInternal(viewer) || viewer.partnerId === parties.labelId);
      if (!parties || (!mayRevoke && viewer.partnerId !== parties.distributorId)) {
        throw new NotFoundError('mandate not found', { mandate: input.mandate });
      }
      if (!mayRevoke) throw new ForbiddenError('only the label that granted a mandate (or internal) may revoke it');
      await lockOutWritesOf(manager, parties.distributorId);
      const mandate = (await repository.findOne({ where: { id: mandateId }, lock: { mode: 'pessimistic_write' } }))!;
      if (mandate.version !== input.expectedVersion) {
        throw new ConflictError(`mandate is at version ${mandate.version}, not ${input.expectedVersion}`, {
          currentVersion: mandate.version,
        });
      }
      if (mandate.revokedAt) throw new InvalidTransitionError('mandate is already revoked');
      mandate.revokedAt = new Date();
      mandate.revokedBy = viewer.partnerId;
      mandate.version += 1;
      await repository.save(mandate);
      await appendChangeEvents(manager, [
        {
          type: ChangeType.MANDATE_REVOKED,
          entityId: toGlobalId('Mandate', mandate.id),
          actorId: viewer.partnerId,
          partnerIds: [mandate.labelId, mandate.distributorId],
          payload: { revokedAt: mandate.revokedAt },
        },
      ]);
      return mandate;
    });
  }

  /**
   * Suspension takes effect on the partner's next request (tokens are checked against the row each time),
   * and on its writes in flight: it waits for them to commit, and those that start meanwhile are refused.
   */
  async changeStatus(viewer: Viewer, input: ChangePartnerStatusInput, status: PartnerStatus): Promise<PartnerEntity> {
    const partnerId = idOf('Partner', input.partner, 'partner');
    if (!input.reason.trim()) throw new BadInputError('reason must not be empty', { field: 'reason' });
    if (partnerId === viewer.partnerId) throw new BadInputError('a partner cannot change its own status', { field: 'partner' });
    return transactionAs(this.dataSource, viewer, async (manager, viewer) => {
      await lockOutWritesOf(manager, partnerId);
      const repository = manager.getRepository(PartnerEntity);
      const partner = await repository.findOne({ where: { id: partnerId }, lock: { mode: 'pessimistic_write' } });
      if (!partner) throw new NotFoundError('partner not found', { partner: input.partner });
      if (partner.status === status) throw new InvalidTransitionError(`partner is already ${status}`);
      partner.status = status;
      await repository.save(partner);
      await appendChangeEvents(manager, [
        {
          type: status === PartnerStatus.SUSPENDED ? ChangeType.PARTNER_SUSPENDED : ChangeType.PARTNER_REINSTATED,
          entityId: toGlobalId('Partner', partner.id),
          actorId: viewer.partnerId,
          partnerIds: [partner.id],
          payload: { status, reason: input.reason },
        },
      ]);
      return partner;
    });
  }

  private grantingLabel(viewer: Viewer, label: string | null | undefined): string {
    if (viewer.type === PartnerType.LABEL) {
      if (label && idOf('Partner', label, 'label') !== viewer.partnerId) {
        throw new ForbiddenError('a label may grant mandates only for itself');
      }
      return viewer.partnerId;
    }
    if (!isInternal(viewer)) throw new ForbiddenError('only a label or internal may grant mandates');
    if (!label) throw new BadInputError('label is required when internal grants a mandate', { field: 'label' });
    return idOf('Partner', label, 'label');
  }

  private async partnersOfType(
    manager: EntityManager,
    wanted: { id: string; type: PartnerType; field: string }[],
  ): Promise<PartnerEntity[]> {
    const rows = await manager.getRepository(PartnerEntity).findBy({ id: In(wanted.map((w) => w.id)) });
    return wanted.map(({ id, type, field }) => {
      const row = rows.find((r) => r.id === id);
      if (!row || row.type !== type) throw new BadInputError(`${field}: no ${type} partner with this id`, { field });
      return row;
    });
  }
}
