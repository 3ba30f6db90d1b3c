import type { DataSource, EntityManager } from 'typeorm';
import { transactionAs } from '../auth/transaction-as';
import { labelsActedFor, type Viewer } from '../auth/viewer';
import { BadInputError, ConflictError, ForbiddenError, InvalidTransitionError, NotFoundError } from '../common/errors';
import { chronologicalPage, isChronologicalPosition, readPage, type Connection, type PageArgs } from '../common/relay/connection';
import { idOf, toGlobalId } from '../common/relay/global-id';
import { groupsFor } from '../common/group-by';
import type { ChangeType } from '../events/change-type';
import { appendChangeEvents } from '../events/outbox';
import { MandatePermission } from '../partners/mandate.entity';
import { PartnerType } from '../partners/partner.entity';
import { lockAgreementRow } from './agreement-lock';
import { AgreementState, StoredAgreementState, type AgreementTermsEntity } from './agreement.entity';
import { actsForLicensor, agreementVisibility, type AgreementParties } from './agreements.access';
import { AgreementAction, isLegal, LIFECYCLE } from './agreements.lifecycle';
import { insertTerms, resolveSelectedWorks, validateTerms, type ValidTerms } from './agreements.terms';
import type {
  AgreementChangeInput,
  AgreementFilter,
  AgreementTermsChangeInput,
  AgreementTermsInput,
  CreateAgreementInput,
} from './agreements.types';

export const MAX_AGREEMENTS_PAGE = 100;

export interface AgreementRow {
  id: string;
  licensor_id: string;
  acting_distributor_id: string | null;
  licensee_id: string;
  state: AgreementState;
  stored_state: StoredAgreementState;
  version: number;
  terms_in_force: number | null;
  pending_terms: number | null;
  termination_reason: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface HistoryRow {
  agreement_id: string;
  version: number;
  terms_version: number | null;
  transition: string;
  from_state: AgreementState | null;
  to_state: AgreementState;
  actor_id: string;
  acting_for_id: string | null;
  reason: string | null;
  occurred_at: Date;
}

/** The row with its state as partners read it: ACTIVE or SUSPENDED past the end of the terms in force is EXPIRED. */
const AGREEMENT_SELECT = `
  SELECT a.id, a.licensor_id, a.acting_distributor_id, a.licensee_id, a.state AS stored_state,
         CASE WHEN a.state IN ('ACTIVE', 'SUSPENDED') AND f.ends_at <= now() THEN 'EXPIRED' ELSE a.state END AS state,
         a.version, a.terms_in_force, a.pending_terms, a.termination_reason, a.created_at, a.updated_at
  FROM agreement a
  LEFT JOIN agreement_terms f ON f.agreement_id = a.id AND f.terms_version = a.terms_in_force`;

/** What a transition changes on the agreement row, and how the history names it. */
interface Outcome {
  transition: string;
  state?: StoredAgreementState;
  termsInForce?: number | null;
  pendingTerms?: number | null;
  terminationReason?: string;
  termsVersion: number | null;
}

export function partiesOf(row: AgreementRow): AgreementParties {
  return { licensorId: row.licensor_id, licenseeId: row.licensee_id, actingDistributorId: row.acting_distributor_id };
}

/** Records on the pending terms who proposed, accepted or declined them, and when. */
function signPendingTerms(manager: EntityManager, row: AgreementRow, act: 'proposed' | 'accepted' | 'declined', viewer: Viewer) {
  return manager.query(
    `UPDATE agreement_terms SET ${act}_by = $3, ${act}_at = now() WHERE agreement_id = $1 AND terms_version = $2`,
    [row.id, row.pending_terms, viewer.partnerId],
  );
}

export class AgreementsService {
  constructor(private readonly dataSource: DataSource) {}

  async findByIds(viewer: Viewer, ids: readonly string[]): Promise<(AgreementRow | undefined)[]> {
    const params: unknown[] = [ids];
    const rows = (await this.dataSource.query(
      `${AGREEMENT_SELECT} WHERE a.id = ANY($1::uuid[]) AND ${agreementVisibility(viewer, params)}`,
      params,
    )) as AgreementRow[];
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id));
  }

  async list(viewer: Viewer, filter: AgreementFilter | null | undefined, args: PageArgs): Promise<Connection<AgreementRow>> {
    const page = readPage(args, MAX_AGREEMENTS_PAGE, isChronologicalPosition('agreements'));
    const params: unknown[] = [];
    const conditions = [agreementVisibility(viewer, params)];
    if (filter?.state) {
      params.push(filter.state);
      conditions.push(
        `(CASE WHEN a.state IN ('ACTIVE', 'SUSPENDED') AND f.ends_at <= now() THEN 'EXPIRED' ELSE a.state END) = $${params.length}`,
      );
    }
    if (filter?.counterparty) {
      params.push(idOf('Partner', filter.counterparty, 'filter.counterparty'));
      conditions.push(`(a.licensor_id = $${params.length} OR a.licensee_id = $${params.length})`);
    }
    if (filter?.useType) {
      params.push(filter.useType);
      conditions.push(`EXISTS (SELECT 1 FROM agreement_terms c WHERE c.agreement_id = a.id
        AND c.terms_version = COALESCE(a.terms_in_force, a.pending_terms) AND $${params.length} = ANY(c.use_types))`);
    }
    return chronologicalPage<AgreementRow>(this.dataSource, { list: 'agreements', select: AGREEMENT_SELECT, alias: 'a', conditions, params }, page);
  }

  /** Every terms version of the given agreements (callers have already checked the agreements are visible). */
  async termsOf(agreementIds: readonly string[]): Promise<AgreementTermsEntity[]> {
    const rows = (await this.dataSource.query(
      `SELECT agreement_id AS "agreementId", terms_version AS "termsVersion", use_types AS "useTypes", territories,
              excluded_territories AS "excludedTerritories", starts_at AS "startsAt", ends_at AS "endsAt",
              catalog_scope AS "catalogScope", compensation, drafted_by AS "draftedBy", drafted_at AS "draftedAt",
              proposed_by AS "proposedBy", proposed_at AS "proposedAt", accepted_by AS "acceptedBy",
              accepted_at AS "acceptedAt", declined_by AS "declinedBy", declined_at AS "declinedAt"
       FROM agreement_terms WHERE agreement_id = ANY($1::uuid[]) ORDER BY agreement_id, terms_version`,
      [agreementIds],
    )) as AgreementTermsEntity[];
    return rows;
  }

  async selectedIsrcsOf(keys: readonly { agreementId: string; version: number }[]): Promise<string[][]> {
    const rows = (await this.dataSource.query(
      `SELECT aw.agreement_id, aw.terms_version, w.isrc FROM agreement_work aw JOIN work w ON w.id = aw.work_id
       WHERE (aw.agreement_id, aw.terms_version) IN (SELECT * FROM unnest($1::uuid[], $2::int[]))
       ORDER BY w.isrc`,
      [keys.map((k) => k.agreementId), keys.map((k) => k.version)],
    )) as { agreement_id: string; terms_version: number; isrc: string }[];
    return groupsFor(
      keys.map((key) => `${key.agreementId}:${key.version}`),
      rows,
      (row) => `${row.agreement_id}:${row.terms_version}`,
    ).map((group) => group.map((row) => row.isrc));
  }

  async historyOf(agreementIds: readonly string[]): Promise<HistoryRow[]> {
    return this.dataSource.query(
      `SELECT agreement_id, version, terms_version, transition, from_state, to_state, actor_id, acting_for_id, reason, occurred_at
       FROM agreement_history WHERE agreement_id = ANY($1::uuid[]) ORDER BY agreement_id, id`,
      [agreementIds],
    );
  }

  async create(viewer: Viewer, input: CreateAgreementInput): Promise<AgreementRow> {
    const licenseeId = idOf('Partner', input.licensee, 'licensee');
    const checked = validateTerms(input.terms);
    return transactionAs(this.dataSource, viewer, async (manager, viewer) => {
      const licensorId = this.draftingLicensor(viewer, input.licensor);
      const partners = (await manager.query(`SELECT id, type FROM partner WHERE id = ANY($1::uuid[])`, [
        [licensorId, licenseeId],
      ])) as { id: string; type: PartnerType }[];
      if (partners.find((p) => p.id === licenseeId)?.type !== PartnerType.AI_PARTNER) {
        throw new BadInputError('licensee: no AI_PARTNER partner with this id', { field: 'licensee' });
      }
      if (partners.find((p) => p.id === licensorId)?.type !== PartnerType.LABEL) {
        throw new BadInputError('licensor: no LABEL partner with this id', { field: 'licensor' });
      }
      const terms = { ...checked, selectedWorkIds: await resolveSelectedWorks(manager, licensorId, checked.selectedIsrcs) };
      const actingDistributorId = viewer.type === PartnerType.DISTRIBUTOR ? viewer.partnerId : null;
      const [{ id }] = (await manager.query(
        `INSERT INTO agreement (licensor_id, acting_distributor_id, licensee_id, state, pending_terms)
         VALUES ($1, $2, $3, 'DRAFT', 1) RETURNING id`,
        [licensorId, actingDistributorId, licenseeId],
      )) as { id: string }[];
      await insertTerms(manager, id, 1, terms, viewer.partnerId, false);
      const row = await this.lockedRow(manager, id);
      await this.record(manager, viewer, row, { transition: 'CREATED', termsVersion: 1 }, null);
      return row;
    });
  }

  updateDraft(viewer: Viewer, input: AgreementTermsChangeInput): Promise<AgreementRow> {
    return this.change(viewer, input, AgreementAction.UPDATE_DRAFT, async (manager, row) => {
      const termsVersion = await this.addTerms(manager, viewer, row, input.terms, false);
      return { transition: 'DRAFT_UPDATED', pendingTerms: termsVersion, termsVersion };
    });
  }

  propose(viewer: Viewer, input: AgreementChangeInput): Promise<AgreementRow> {
    return this.change(viewer, input, AgreementAction.PROPOSE, async (manager, row) => {
      await signPendingTerms(manager, row, 'proposed', viewer);
      return { transition: 'PROPOSED', state: StoredAgreementState.PROPOSED, termsVersion: row.pending_terms };
    });
  }

  accept(viewer: Viewer, input: AgreementChangeInput): Promise<AgreementRow> {
    return this.change(viewer, input, AgreementAction.ACCEPT, async (manager, row) => {
      await signPendingTerms(manager, row, 'accepted', viewer);
      const amendment = row.state === AgreementState.ACTIVE;
      return {
        transition: amendment ? 'AMENDMENT_ACCEPTED' : 'ACCEPTED',
        state: StoredAgreementState.ACTIVE,
        termsInForce: row.pending_terms,
        pendingTerms: null,
        termsVersion: row.pending_terms,
      };
    });
  }

  decline(viewer: Viewer, input: AgreementChangeInput): Promise<AgreementRow> {
    return this.change(viewer, input, AgreementAction.DECLINE, async (manager, row) => {
      await signPendingTerms(manager, row, 'declined', viewer);
      const amendment = row.state === AgreementState.ACTIVE;
      return {
        transition: amendment ? 'AMENDMENT_DECLINED' : 'DECLINED',
        state: amendment ? StoredAgreementState.ACTIVE : StoredAgreementState.DECLINED,
        pendingTerms: null,
        termsVersion: row.pending_terms,
      };
    });
  }

  suspend(viewer: Viewer, input: AgreementChangeInput): Promise<AgreementRow> {
    return this.change(viewer, input, AgreementAction.SUSPEND, async () => ({
      transition: 'SUSPENDED',
      state: StoredAgreementState.SUSPENDED,
      termsVersion: null,
    }));
  }

  resume(viewer: Viewer, input: AgreementChangeInput): Promise<AgreementRow> {
    return this.change(viewer, input, AgreementAction.RESUME, async () => ({
      transition: 'RESUMED',
      state: StoredAgreementState.ACTIVE,
      termsVersion: null,
    }));
  }

  terminate(viewer: Viewer, input: AgreementChangeInput): Promise<AgreementRow> {
    const reason = input.reason?.trim();
    if (!reason) throw new BadInputError('reason: a termination needs a reason', { field: 'reason' });
    return this.change(viewer, input, AgreementAction.TERMINATE, async () => ({
      transition: 'TERMINATED',
      state: StoredAgreementState.TERMINATED,
      terminationReason: reason,
      termsVersion: null,
    }));
  }

  /** A new version of the terms, proposed at once; the terms in force stay until the licensee accepts it. */
  amend(viewer: Viewer, input: AgreementTermsChangeInput): Promise<AgreementRow> {
    return this.change(viewer, input, AgreementAction.AMEND, async (manager, row) => {
      const termsVersion = await this.addTerms(manager, viewer, row, input.terms, true);
      return { transition: 'AMENDED', pendingTerms: termsVersion, termsVersion };
    });
  }

  private draftingLicensor(viewer: Viewer, licensor: string | null | undefined): string {
    if (viewer.type === PartnerType.LABEL) {
      if (licensor && idOf('Partner', licensor, 'licensor') !== viewer.partnerId) {
        throw new ForbiddenError('a label drafts agreements for itself only');
      }
      return viewer.partnerId;
    }
    if (viewer.type !== PartnerType.DISTRIBUTOR) throw new ForbiddenError('only the licensor side drafts agreements');
    if (!licensor) throw new BadInputError('licensor: a distributor names the label it acts for', { field: 'licensor' });
    const licensorId = idOf('Partner', licensor, 'licensor');
    if (!labelsActedFor(viewer, MandatePermission.NEGOTIATE).includes(licensorId)) {
      throw new ForbiddenError('no NEGOTIATE mandate in force for this label');
    }
    return licensorId;
  }

  private async addTerms(
    manager: EntityManager,
    viewer: Viewer,
    row: AgreementRow,
    input: AgreementTermsInput,
    proposed: boolean,
  ): Promise<number> {
    const checked = validateTerms(input);
    const terms: ValidTerms = {
      ...checked,
      selectedWorkIds: await resolveSelectedWorks(manager, row.licensor_id, checked.selectedIsrcs),
    };
    const [{ next }] = (await manager.query(
      `SELECT COALESCE(max(terms_version), 0) + 1 AS next FROM agreement_terms WHERE agreement_id = $1`,
      [row.id],
    )) as { next: number }[];
    await insertTerms(manager, row.id, next, terms, viewer.partnerId, proposed);
    return next;
  }

  /**
   * Every change to an existing agreement: lock the row, check who (FORBIDDEN), the version read
   * (CONFLICT) and the lifecycle (INVALID_TRANSITION), apply, bump the version, record history and event.
   */
  private async change(
    viewer: Viewer,
    input: { agreement: string; expectedVersion: number; reason?: string | null },
    action: AgreementAction,
    apply: (manager: EntityManager, row: AgreementRow) => Promise<Outcome>,
  ): Promise<AgreementRow> {
    const agreementId = idOf('Agreement', input.agreement, 'agreement');
    return transactionAs(this.dataSource, viewer, async (manager, viewer) => {
      // One the viewer may not read is not found, as one that does not exist: its id confirms nothing.
      const row = await this.lockedRow(manager, agreementId, viewer);
      const parties = partiesOf(row);
      const side = LIFECYCLE[action].side;
      const allowed = side === 'LICENSOR' ? actsForLicensor(viewer, parties) : viewer.partnerId === parties.licenseeId;
      if (!allowed) {
        throw new ForbiddenError(`only the ${side === 'LICENSOR' ? 'licensor side' : 'licensee'} may ${action.toLowerCase().replace('_', ' ')} an agreement`, {
          action,
        });
      }
      if (row.version !== input.expectedVersion) {
        throw new ConflictError(`agreement is at version ${row.version}, not ${input.expectedVersion}`, {
          currentVersion: row.version,
        });
      }
      if (!isLegal(action, row.state, row.pending_terms !== null)) {
        throw new InvalidTransitionError(`cannot ${action} an agreement that is ${row.state}`, { action, state: row.state });
      }
      const outcome = await apply(manager, row);
      await manager.query(
        `UPDATE agreement SET version = version + 1, updated_at = now(),
           state = COALESCE($2, state),
           terms_in_force = CASE WHEN $3 THEN $4 ELSE terms_in_force END,
           pending_terms = CASE WHEN $5 THEN $6 ELSE pending_terms END,
           termination_reason = COALESCE($7, termination_reason)
         WHERE id = $1`,
        [
          row.id,
          outcome.state ?? null,
          outcome.termsInForce !== undefined,
          outcome.termsInForce ?? null,
          outcome.pendingTerms !== undefined,
          outcome.pendingTerms ?? null,
          outcome.terminationReason ?? null,
        ],
      );
      const updated = await this.lockedRow(manager, row.id);
      await this.record(manager, viewer, updated, outcome, row.state, input.reason ?? outcome.terminationReason ?? null);
      return updated;
    });
  }

  /** The agreement, locked; with a viewer, only if the viewer may read it. */
  private async lockedRow(manager: EntityManager, agreementId: string, viewer?: Viewer): Promise<AgreementRow> {
    await lockAgreementRow(manager, agreementId);
    const params: unknown[] = [agreementId];
    const readable = viewer ? ` AND ${agreementVisibility(viewer, params)}` : '';
    const [row] = (await manager.query(`${AGREEMENT_SELECT} WHERE a.id = $1${readable}`, params)) as AgreementRow[];
    if (!row) throw new NotFoundError('agreement not found', { agreement: toGlobalId('Agreement', agreementId) });
    return row;
  }

  private async record(
    manager: EntityManager,
    viewer: Viewer,
    row: AgreementRow,
    outcome: Pick<Outcome, 'transition' | 'termsVersion'>,
    fromState: AgreementState | null,
    reason: string | null = null,
  ): Promise<void> {
    const actingFor = viewer.type === PartnerType.DISTRIBUTOR ? row.licensor_id : null;
    await manager.query(
      `INSERT INTO agreement_history (agreement_id, version, terms_version, transition, from_state, to_state, actor_id, acting_for_id, reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [row.id, row.version, outcome.termsVersion, outcome.transition, fromState, row.state, viewer.partnerId, actingFor, reason],
    );
    // A draft is the licensor side's business until it is proposed.
    const audience = [row.licensor_id, row.acting_distributor_id, row.stored_state === 'DRAFT' ? null : row.licensee_id];
    await appendChangeEvents(manager, [
      {
        type: `AGREEMENT_${outcome.transition}` as ChangeType,
        entityId: toGlobalId('Agreement', row.id),
        actorId: viewer.partnerId,
        partnerIds: audience.filter((id): id is string => id !== null),
        payload: { state: row.state, version: row.version, termsVersion: outcome.termsVersion },
      },
    ]);
  }
}

