import type { DataSource, EntityManager } from 'typeorm';
import { licenseesOfWorks } from '../agreements/licensees';
import { transactionAs } from '../auth/transaction-as';
import { isInternal, labelsActedFor, type Viewer } from '../auth/viewer';
import { ConflictError, ForbiddenError } from '../common/errors';
import { isIsrcPosition, readPage, toConnection, type Connection, type PageArgs } from '../common/relay/connection';
import { idOf, toGlobalId } from '../common/relay/global-id';
import { groupBy } from '../common/group-by';
import { ChangeType } from '../events/change-type';
import { appendChangeEvents, type NewChangeEvent } from '../events/outbox';
import { MandatePermission } from '../partners/mandate.entity';
import { PartnerType } from '../partners/partner.entity';
import { ArtistRole } from './work-artist.entity';
import { artistKey, lockRegistrationKeys } from './registration-locks';
import { rejectProblems, validateWorks, type Problem, type ValidatedWork } from './works.validation';
import type { WorkFilter, WorkInput } from './works.types';

export const MAX_WORKS_PAGE = 500;

export interface WorkRow {
  id: string;
  isrc: string;
  title: string;
  iswc: string | null;
  release_date: string | null;
  updated_at: Date;
  /** The labels holding a share: relations on the work (who may see its consent history) are decided on them. */
  owner_label_ids: string[];
}

export interface WorkArtistRow {
  work_id: string;
  artist_id: string;
  name: string;
  isni: string | null;
  role: ArtistRole;
}

export interface RightShareRow {
  work_id: string;
  label_id: string;
  share_bps: number;
}

export interface RegisterWorksResult {
  works: WorkRow[];
  createdCount: number;
  updatedCount: number;
  unchangedCount: number;
}

const WORK_COLUMNS = `w.id, w.isrc, w.title, w.iswc, w.release_date::text AS release_date, w.updated_at,
  ARRAY(SELECT rs.label_id FROM right_share rs WHERE rs.work_id = w.id) AS owner_label_ids`;

/**
 * Which works a viewer may see, as a SQL condition on alias `w`. Everyone sees the catalog except a
 * distributor, which sees only the works of labels it holds a READ_CATALOG mandate for.
 */
function visibility(viewer: Viewer, params: unknown[]): string {
  if (viewer.type !== PartnerType.DISTRIBUTOR) return 'TRUE';
  params.push(labelsActedFor(viewer, MandatePermission.READ_CATALOG));
  return `EXISTS (SELECT 1 FROM right_share vs WHERE vs.work_id = w.id AND vs.label_id = ANY($${params.length}::uuid[]))`;
}

/** A canonical form of a work's registrable content, to tell an update from a repeat. */
function fingerprint(work: {
  title: string;
  iswc: string | null;
  releaseDate: string | null;
  artists: { artistId: string; role: string }[];
  shares: { labelId: string; shareBps: number }[];
}): string {
  const shares = [...work.shares].sort((a, b) => a.labelId.localeCompare(b.labelId));
  return JSON.stringify([work.title, work.iswc, work.releaseDate, work.artists, shares]);
}

/** Owners and MAIN artists are all a decision reads of a work (decisions/decision-rule.ts). */
function decisionInputs(ownerIds: readonly string[], mainArtistIds: readonly string[]): string {
  return JSON.stringify([[...new Set(ownerIds)].sort(), [...new Set(mainArtistIds)].sort()]);
}

function mainArtistsOf<T extends { role: string }>(credits: readonly T[], idOf: (credit: T) => string): string[] {
  return credits.filter((credit) => credit.role === ArtistRole.MAIN).map(idOf);
}

export class WorksService {
  constructor(private readonly dataSource: DataSource) {}

  async list(viewer: Viewer, filter: WorkFilter | null | undefined, args: PageArgs): Promise<Connection<WorkRow>> {
    const page = readPage(args, MAX_WORKS_PAGE, isIsrcPosition);
    const params: unknown[] = [];
    const conditions = [visibility(viewer, params)];
    if (filter?.label) {
      params.push(idOf('Partner', filter.label, 'filter.label'));
      conditions.push(`EXISTS (SELECT 1 FROM right_share fs WHERE fs.work_id = w.id AND fs.label_id = $${params.length})`);
    }
    if (filter?.titleContains) {
      params.push(`%${filter.titleContains.replace(/[\\%_]/g, '\\$&')}%`);
      conditions.push(`w.title ILIKE $${params.length}`);
    }
    if (filter?.isrcs) {
      params.push(filter.isrcs);
      conditions.push(`w.isrc = ANY($${params.length}::text[])`);
    }
    if (page.after) {
      params.push(page.after);
      conditions.push(`w.isrc > $${params.length}`);
    }
    params.push(page.limit + 1);
    const rows = (await this.dataSource.query(
      `SELECT ${WORK_COLUMNS} FROM work w WHERE ${conditions.join(' AND ')} ORDER BY w.isrc LIMIT $${params.length}`,
      params,
    )) as WorkRow[];
    return toConnection(rows, page, (row) => row.isrc, (row) => row);
  }

  async findByIsrc(viewer: Viewer, isrc: string): Promise<WorkRow | undefined> {
    const params: unknown[] = [isrc];
    const [row] = (await this.dataSource.query(
      `SELECT ${WORK_COLUMNS} FROM work w WHERE w.isrc = $1 AND ${visibility(viewer, params)}`,
      params,
    )) as WorkRow[];
    return row;
  }

  async findByIds(viewer: Viewer, ids: readonly string[]): Promise<(WorkRow | undefined)[]> {
    const params: unknown[] = [ids];
    const rows = (await this.dataSource.query(
      `SELECT ${WORK_COLUMNS} FROM work w WHERE w.id = ANY($1::uuid[]) AND ${visibility(viewer, params)}`,
      params,
    )) as WorkRow[];
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id));
  }

  async artistsOfWorks(workIds: readonly string[], manager = this.dataSource.manager): Promise<WorkArtistRow[]> {
    if (workIds.length === 0) return [];
    return manager.query(
      `SELECT wa.work_id, wa.artist_id, a.name, a.isni, wa.role
       FROM work_artist wa JOIN artist a ON a.id = wa.artist_id
       WHERE wa.work_id = ANY($1::uuid[]) ORDER BY wa.work_id, wa.position`,
      [workIds],
    );
  }

  async sharesOfWorks(workIds: readonly string[], manager = this.dataSource.manager): Promise<RightShareRow[]> {
    if (workIds.length === 0) return [];
    return manager.query(
      `SELECT work_id, label_id, share_bps FROM right_share
       WHERE work_id = ANY($1::uuid[]) ORDER BY work_id, share_bps DESC, label_id`,
      [workIds],
    );
  }

  async findArtists(ids: readonly string[]): Promise<({ id: string; name: string; isni: string | null } | undefined)[]> {
    const rows = (await this.dataSource.query(`SELECT id, name, isni FROM artist WHERE id = ANY($1::uuid[])`, [
      ids,
    ])) as { id: string; name: string; isni: string | null }[];
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id));
  }

  /**
   * Idempotent bulk upsert by ISRC, all or nothing. A work already registered is replaced entirely
   * (title, credits, shares) when its content differs, and left alone when it does not. The viewer must
   * act (MANAGE_CATALOG) for an owner of every work, as it will be and as it was.
   */
  async register(viewer: Viewer, inputs: WorkInput[]): Promise<RegisterWorksResult> {
    const works = validateWorks(inputs);
    return transactionAs(this.dataSource, viewer, async (manager, viewer) => {
      await lockRegistrationKeys(manager, works);
      await this.checkLabels(manager, works);
      this.checkMayManage(viewer, works.map((w) => ({ index: w.index, isrc: w.isrc, ownerIds: w.shareLabelIds })));

      const isrcs = works.map((w) => w.isrc);
      // Locked in ISRC order, as recordConsent locks works, so that the two queue rather than deadlock.
      // NO KEY: the isrc is never changed, and rows being inserted that refer to these works (usage
      // lines, agreements' selected works) take key-share locks in their own order: not waiting for
      // them, and they not for us, leaves no cycle to deadlock in.
      const existing = (await manager.query(
        `SELECT id, isrc, title, iswc, release_date::text AS release_date FROM work
         WHERE isrc = ANY($1::text[]) ORDER BY isrc FOR NO KEY UPDATE`,
        [isrcs],
      )) as (WorkRow & { release_date: string | null })[];
      const existingIds = existing.map((w) => w.id);
      const [oldArtists, oldShares] = await Promise.all([
        this.artistsOfWorks(existingIds, manager),
        this.sharesOfWorks(existingIds, manager),
      ]);
      const oldOwners = groupBy(oldShares, (s) => s.work_id);
      const existingByIsrc = new Map(existing.map((w) => [w.isrc, w]));
      this.checkMayManage(
        viewer,
        works
          .filter((w) => existingByIsrc.has(w.isrc))
          .map((w) => ({
            index: w.index,
            isrc: w.isrc,
            ownerIds: (oldOwners.get(existingByIsrc.get(w.isrc)!.id) ?? []).map((s) => s.label_id),
          })),
      );

      const artistIds = await this.upsertArtists(manager, works);
      const fingerprintOf = (w: ValidatedWork) =>
        fingerprint({
          title: w.title,
          iswc: w.iswc ?? null,
          releaseDate: w.releaseDate ?? null,
          artists: w.artists.map((a) => ({ artistId: artistIds.get(artistKey(a))!, role: a.role })),
          shares: w.rightsholders.map((s, i) => ({ labelId: w.shareLabelIds[i], shareBps: s.shareBps })),
        });
      const oldArtistsByWork = groupBy(oldArtists, (a) => a.work_id);
      const storedFingerprint = (row: WorkRow) =>
        fingerprint({
          title: row.title,
          iswc: row.iswc,
          releaseDate: row.release_date,
          artists: (oldArtistsByWork.get(row.id) ?? []).map((a) => ({ artistId: a.artist_id, role: a.role })),
          shares: (oldOwners.get(row.id) ?? []).map((s) => ({ labelId: s.label_id, shareBps: s.share_bps })),
        });

      const created = works.filter((w) => !existingByIsrc.has(w.isrc));
      const updated = works.filter((w) => {
        const row = existingByIsrc.get(w.isrc);
        return row !== undefined && storedFingerprint(row) !== fingerprintOf(w);
      });
      const createdIds = await this.insertWorks(manager, created);
      await this.updateWorks(manager, updated);

      const idByIsrc = new Map([...existing.map((w) => [w.isrc, w.id] as const), ...createdIds]);
      const written = [...created, ...updated];
      await this.replaceCreditsAndShares(manager, written, idByIsrc, artistIds);

      const changes = written.map((w) => {
        const workId = idByIsrc.get(w.isrc)!;
        const previousOwners = (oldOwners.get(workId) ?? []).map((s) => s.label_id);
        const previousMainArtists = mainArtistsOf(oldArtistsByWork.get(workId) ?? [], (a) => a.artist_id);
        const mainArtists = mainArtistsOf(w.artists, (a) => artistIds.get(artistKey(a))!);
        const registered = !existingByIsrc.has(w.isrc);
        const turnsDecisions =
          registered ||
          decisionInputs(previousOwners, previousMainArtists) !== decisionInputs(w.shareLabelIds, mainArtists);
        return { w, workId, previousOwners, previousMainArtists, mainArtists, registered, turnsDecisions };
      });
      // The AI partners licensing a work through an owner, before or after, hear of a change that can
      // turn their decisions on it (consentChanged).
      const licensees = await licenseesOfWorks(
        manager,
        changes
          .filter((c) => c.turnsDecisions)
          .flatMap((c) => [...c.w.shareLabelIds, ...c.previousOwners].map((labelId) => ({ workId: c.workId, labelId }))),
      );
      const events: NewChangeEvent[] = changes.map((c) => ({
        type: c.registered ? ChangeType.WORK_REGISTERED : ChangeType.WORK_UPDATED,
        entityId: toGlobalId('Work', c.workId),
        actorId: viewer.partnerId,
        partnerIds: [...c.w.shareLabelIds, ...c.previousOwners, ...(licensees.get(c.workId) ?? [])],
        payload: {
          isrc: c.w.isrc,
          title: c.w.title,
          ownerLabelIds: c.w.shareLabelIds,
          mainArtistIds: c.mainArtists,
          previousMainArtistIds: c.previousMainArtists,
          turnsDecisions: c.turnsDecisions,
        },
      }));
      await appendChangeEvents(manager, events);

      const stored = (await manager.query(`SELECT ${WORK_COLUMNS} FROM work w WHERE w.isrc = ANY($1::text[])`, [
        isrcs,
      ])) as WorkRow[];
      const storedByIsrc = new Map(stored.map((w) => [w.isrc, w]));
      return {
        works: isrcs.map((isrc) => storedByIsrc.get(isrc)!),
        createdCount: created.length,
        updatedCount: updated.length,
        unchangedCount: works.length - created.length - updated.length,
      };
    });
  }

  private async checkLabels(manager: EntityManager, works: ValidatedWork[]): Promise<void> {
    const ids = [...new Set(works.flatMap((w) => w.shareLabelIds))];
    const rows = (await manager.query(`SELECT id FROM partner WHERE id = ANY($1::uuid[]) AND type = 'LABEL'`, [
      ids,
    ])) as { id: string }[];
    const labels = new Set(rows.map((r) => r.id));
    const problems: Problem[] = [];
    for (const work of works) {
      work.shareLabelIds.forEach((id, i) => {
        if (!labels.has(id)) {
          problems.push({
            index: work.index,
            isrc: work.isrc,
            field: `rightsholders[${i}].label`,
            message: `no LABEL partner with id "${work.rightsholders[i].label}"`,
          });
        }
      });
    }
    rejectProblems(problems);
  }

  private checkMayManage(viewer: Viewer, works: { index: number; isrc: string; ownerIds: readonly string[] }[]): void {
    if (isInternal(viewer)) return;
    const actedFor = new Set(labelsActedFor(viewer, MandatePermission.MANAGE_CATALOG));
    const refused = works.find((w) => !w.ownerIds.some((id) => actedFor.has(id)));
    if (refused) {
      throw new ForbiddenError(
        `input[${refused.index}] (${refused.isrc}): you do not act for a label owning this work (MANAGE_CATALOG)`,
        { index: refused.index, isrc: refused.isrc },
      );
    }
  }

  /** Creates the artists not known yet; returns the id of every artist of the call by its key. */
  private async upsertArtists(manager: EntityManager, works: ValidatedWork[]): Promise<Map<string, string>> {
    const byKey = new Map<string, { name: string; isni: string | null }>();
    for (const work of works) {
      for (const artist of work.artists) byKey.set(artistKey(artist), { name: artist.name, isni: artist.isni ?? null });
    }
    const artists = [...byKey.values()];
    const names = artists.map((a) => a.name);
    const isnis = artists.map((a) => a.isni);
    await manager.query(
      `INSERT INTO artist (name, isni) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING`,
      [names, isnis],
    );
    const rows = (await manager.query(
      `SELECT id, name, isni FROM artist
       WHERE isni = ANY($1::text[]) OR (isni IS NULL AND name = ANY($2::text[]))`,
      [isnis.filter(Boolean), artists.filter((a) => !a.isni).map((a) => a.name)],
    )) as { id: string; name: string; isni: string | null }[];
    return new Map(rows.map((row) => [artistKey(row), row.id]));
  }

  private async insertWorks(manager: EntityManager, works: ValidatedWork[]): Promise<[string, string][]> {
    if (works.length === 0) return [];
    const rows = (await manager.query(
      `INSERT INTO work (isrc, title, iswc, release_date)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::date[])
       ON CONFLICT (isrc) DO NOTHING
       RETURNING id, isrc`,
      [works.map((w) => w.isrc), works.map((w) => w.title), works.map((w) => w.iswc ?? null), works.map((w) => w.releaseDate ?? null)],
    )) as { id: string; isrc: string }[];
    if (rows.length !== works.length) {
      // Written by something that does not take the registration locks (a script): check ownership again.
      const raced = works.find((w) => !rows.some((r) => r.isrc === w.isrc))!;
      throw new ConflictError(`${raced.isrc} was registered concurrently by another call; retry`, { isrc: raced.isrc });
    }
    return rows.map((row) => [row.isrc, row.id]);
  }

  private async updateWorks(manager: EntityManager, works: ValidatedWork[]): Promise<void> {
    if (works.length === 0) return;
    await manager.query(
      `UPDATE work SET title = u.title, iswc = u.iswc, release_date = u.release_date,
              version = work.version + 1, updated_at = now()
       FROM unnest($1::text[], $2::text[], $3::text[], $4::date[]) AS u(isrc, title, iswc, release_date)
       WHERE work.isrc = u.isrc`,
      [works.map((w) => w.isrc), works.map((w) => w.title), works.map((w) => w.iswc ?? null), works.map((w) => w.releaseDate ?? null)],
    );
  }

  private async replaceCreditsAndShares(
    manager: EntityManager,
    works: ValidatedWork[],
    idByIsrc: Map<string, string>,
    artistIds: Map<string, string>,
  ): Promise<void> {
    if (works.length === 0) return;
    const workIds = works.map((w) => idByIsrc.get(w.isrc)!);
    await manager.query(`DELETE FROM work_artist WHERE work_id = ANY($1::uuid[])`, [workIds]);
    await manager.query(`DELETE FROM right_share WHERE work_id = ANY($1::uuid[])`, [workIds]);
    const credits = works.flatMap((w, i) =>
      w.artists.map((a, position) => [workIds[i], artistIds.get(artistKey(a))!, a.role, position] as const),
    );
    await manager.query(
      `INSERT INTO work_artist (work_id, artist_id, role, position)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::int[])`,
      [credits.map((c) => c[0]), credits.map((c) => c[1]), credits.map((c) => c[2]), credits.map((c) => c[3])],
    );
    const shares = works.flatMap((w, i) => w.rightsholders.map((s, j) => [workIds[i], w.shareLabelIds[j], s.shareBps] as const));
    await manager.query(
      `INSERT INTO right_share (work_id, label_id, share_bps) SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::int[])`,
      [shares.map((s) => s[0]), shares.map((s) => s[1]), shares.map((s) => s[2])],
    );
  }
}
