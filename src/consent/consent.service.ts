import { DatabaseError } from 'pg';
import { QueryFailedError, type DataSource, type EntityManager } from 'typeorm';
import { licenseesOfHoldings } from '../agreements/licensees';
import { transactionAs } from '../auth/transaction-as';
import { isInternal, labelsActedFor, type Viewer } from '../auth/viewer';
import { ForbiddenError } from '../common/errors';
import { encodeCursor, notACursorOfThisList, readPage, toConnection, type Connection, type Page, type PageArgs } from '../common/relay/connection';
import { isUuid, toGlobalId } from '../common/relay/global-id';
import type { ChangeFollower } from '../events/change-follower';
import { ChangeType } from '../events/change-type';
import { followedWorks } from './consent-changed';
import { appendChangeEvents } from '../events/outbox';
import { MandatePermission } from '../partners/mandate.entity';
import { PartnerType } from '../partners/partner.entity';
import { lockArtistsAgainstRegistration } from '../works/registration-locks';
import { ConsentScope, ConsentState, type EvidenceMethod } from './consent-record.entity';
import type { RecordConsentInput, WithdrawConsentInput } from './consent.types';
import {
  rejectConsentProblems,
  validateRecordConsent,
  validateWithdrawal,
  VALID_UNTIL_NOT_AFTER_VALID_FROM,
  type ConsentDeclaration,
  type ConsentProblem,
} from './consent.validation';

export const MAX_CONSENT_HISTORY_PAGE = 100;

export interface ConsentRecordRow {
  id: string;
  scope: ConsentScope;
  work_id: string | null;
  artist_id: string | null;
  use_types: string[];
  territories: string[];
  excluded_territories: string[];
  valid_from: Date;
  valid_until: Date | null;
  state: ConsentState;
  granted_by_name: string;
  granted_by_isni: string | null;
  recorded_by: string;
  evidence_method: EvidenceMethod;
  evidence_document_hash: string | null;
  evidence_url: string | null;
  recorded_at: Date;
}

const RECORD_COLUMNS = `c.id, c.scope, c.work_id, c.artist_id, c.use_types, c.territories, c.excluded_territories,
  c.valid_from, c.valid_until, c.state, c.granted_by_name, c.granted_by_isni, c.recorded_by,
  c.evidence_method, c.evidence_document_hash, c.evidence_url, c.recorded_at`;

/** Records strictly older than the cursor's record (parameter `after`), in the history's order (newest first). */
function afterCursor(after: string): string {
  return `(${after}::uuid IS NULL OR (c.recorded_at, c.id) < (SELECT a.recorded_at, a.id FROM consent_record a WHERE a.id = ${after}::uuid))`;
}

/** SQLSTATE check_violation, and the name PostgreSQL gave consent_record's CHECK (valid_until > valid_from). */
const CHECK_VIOLATION = '23514';
const VALID_UNTIL_CHECK = 'consent_record_check';

/**
 * validFrom left out is the database's clock when the record is written (recorded_at too, after the
 * subjects' locks), so that a withdrawal takes effect exactly when it is recorded, never before. The
 * gateway's clock, which validation used, is earlier or elsewhere: a validUntil between the two trips
 * the table's check, and that is bad input, not a failure.
 */
function refuseValidUntilPassedAtRecording(error: unknown): never {
  const violation = error instanceof QueryFailedError && error.driverError instanceof DatabaseError ? error.driverError : null;
  if (violation?.code === CHECK_VIOLATION && violation.constraint === VALID_UNTIL_CHECK) {
    rejectConsentProblems([VALID_UNTIL_NOT_AFTER_VALID_FROM]);
  }
  throw error;
}

interface Subject {
  id: string;
  label: string;
  owner_ids: string[];
}

/** The labels whose consent history a viewer may read: its own, or those it holds READ_CATALOG or MANAGE_CONSENT for. */
function consentReadersFor(viewer: Viewer): string[] {
  return [
    ...new Set([
      ...labelsActedFor(viewer, MandatePermission.READ_CATALOG),
      ...labelsActedFor(viewer, MandatePermission.MANAGE_CONSENT),
    ]),
  ];
}

/**
 * A distributor learns nothing of the catalog of a label it holds no mandate for: its works and artists
 * are answered as unknown ones are, not FORBIDDEN (that would confirm they exist).
 */
function knownTo(viewer: Viewer, subject: Subject): boolean {
  if (viewer.type !== PartnerType.DISTRIBUTOR) return true;
  return subject.owner_ids.some((labelId) => viewer.mandates.some((mandate) => mandate.labelId === labelId));
}

export class ConsentService {
  constructor(private readonly dataSource: DataSource) {}

  /** The filter of `consentChanged`: the events that concern these works, or every work when absent (see consent-changed.ts). */
  followedWorks(isrcs: readonly string[] | undefined): ChangeFollower {
    return followedWorks(this.dataSource, isrcs);
  }

  async record(viewer: Viewer, input: RecordConsentInput): Promise<ConsentRecordRow[]> {
    return this.write(viewer, validateRecordConsent(input), ChangeType.CONSENT_RECORDED);
  }

  async withdraw(viewer: Viewer, input: WithdrawConsentInput): Promise<ConsentRecordRow[]> {
    return this.write(viewer, validateWithdrawal(input), ChangeType.CONSENT_WITHDRAWN);
  }

  /**
   * Consent history bearing on each work (its WORK-scope records and the ARTIST-scope records of its MAIN
   * artists), newest first, `limit + 1` per work; works the viewer does not represent get nothing.
   */
  async historyOfWorks(viewer: Viewer, workIds: readonly string[], page: Page): Promise<Map<string, ConsentRecordRow[]>> {
    await this.checkCursor(page);
    const rows = (await this.dataSource.query(
      `SELECT subject.work_id AS subject_id, c.*
       FROM unnest($1::uuid[]) AS subject(work_id)
       CROSS JOIN LATERAL (
         SELECT ${RECORD_COLUMNS} FROM consent_record c
         WHERE ((c.scope = 'WORK' AND c.work_id = subject.work_id)
             OR (c.scope = 'ARTIST' AND c.artist_id IN (
                   SELECT wa.artist_id FROM work_artist wa WHERE wa.work_id = subject.work_id AND wa.role = 'MAIN')))
           AND ${afterCursor('$2')}
         ORDER BY c.recorded_at DESC, c.id DESC
         LIMIT $3
       ) c
       WHERE $4::boolean OR EXISTS (
         SELECT 1 FROM right_share rs WHERE rs.work_id = subject.work_id AND rs.label_id = ANY($5::uuid[]))`,
      [workIds, page.after ?? null, page.limit + 1, isInternal(viewer), consentReadersFor(viewer)],
    )) as (ConsentRecordRow & { subject_id: string })[];
    const byWork = new Map<string, ConsentRecordRow[]>(workIds.map((id) => [id, []]));
    for (const row of rows) byWork.get(row.subject_id)!.push(row);
    return byWork;
  }

  /** One record, for those who may read its subject's history (node(id:)); undefined otherwise. */
  async findRecord(viewer: Viewer, recordId: string): Promise<ConsentRecordRow | undefined> {
    const [row] = (await this.dataSource.query(
      `SELECT ${RECORD_COLUMNS} FROM consent_record c
       WHERE c.id = $1 AND ($2::boolean OR EXISTS (
         SELECT 1 FROM right_share rs
         WHERE rs.label_id = ANY($3::uuid[])
           AND (rs.work_id = c.work_id OR rs.work_id IN (
             SELECT wa.work_id FROM work_artist wa WHERE wa.artist_id = c.artist_id AND wa.role = 'MAIN'))))`,
      [recordId, isInternal(viewer), consentReadersFor(viewer)],
    )) as ConsentRecordRow[];
    return row;
  }

  /** An artist's ARTIST-scope history, for those representing a label that owns a work where the artist is MAIN. */
  async historyOfArtist(viewer: Viewer, artistId: string, args: PageArgs): Promise<Connection<ConsentRecordRow>> {
    const page = readPage(args, MAX_CONSENT_HISTORY_PAGE, isUuid);
    const [{ allowed }] = (await this.dataSource.query(
      `SELECT $2::boolean OR EXISTS (
         SELECT 1 FROM work_artist wa JOIN right_share rs ON rs.work_id = wa.work_id
         WHERE wa.artist_id = $1 AND wa.role = 'MAIN' AND rs.label_id = ANY($3::uuid[])) AS allowed`,
      [artistId, isInternal(viewer), consentReadersFor(viewer)],
    )) as { allowed: boolean }[];
    if (!allowed) {
      throw new ForbiddenError("Artist.consentHistory: you do not represent a label owning this artist's works");
    }
    await this.checkCursor(page);
    const rows = (await this.dataSource.query(
      `SELECT ${RECORD_COLUMNS} FROM consent_record c
       WHERE c.scope = 'ARTIST' AND c.artist_id = $1 AND ${afterCursor('$2')}
       ORDER BY c.recorded_at DESC, c.id DESC
       LIMIT $3`,
      [artistId, page.after ?? null, page.limit + 1],
    )) as ConsentRecordRow[];
    return toConnection(rows, page, (row) => row.id, (row) => row);
  }

  /** A history's cursor is the id of the record it ended on: one naming no record would read as the list's end. */
  private async checkCursor(page: Page): Promise<void> {
    if (page.after === undefined) return;
    const [record] = await this.dataSource.query(`SELECT 1 FROM consent_record WHERE id = $1`, [page.after]);
    if (!record) throw notACursorOfThisList(encodeCursor(page.after));
  }

  /**
   * Writes one record per subject, all or nothing. First the artists' registration locks, which queue
   * this call with a registerWorks crediting them (works/registration-locks.ts); then the subjects' rows
   * (works, then artists, in key order), before the viewer's right to act on them is checked and before
   * recorded_at is taken, so concurrent calls on the same subject queue and recorded_at follows commit
   * order per subject.
   */
  private async write(viewer: Viewer, declaration: ConsentDeclaration, eventType: ChangeType): Promise<ConsentRecordRow[]> {
    return transactionAs(this.dataSource, viewer, async (manager, viewer) => {
      await lockArtistsAgainstRegistration(manager, declaration.artistIds);
      const works = await this.lockWorks(manager, viewer, declaration.isrcs);
      const artists = await this.lockArtists(manager, viewer, declaration.artistIds);
      this.checkMayManage(viewer, works, artists);

      const subjects = [
        ...works.map((w) => ({ scope: ConsentScope.WORK, workId: w.id, artistId: null })),
        ...artists.map((a) => ({ scope: ConsentScope.ARTIST, workId: null, artistId: a.id })),
      ];
      const d = declaration;
      const records = (await manager.query(
        `WITH clock AS (SELECT clock_timestamp() AS now)
         INSERT INTO consent_record (scope, work_id, artist_id, use_types, territories, excluded_territories,
           valid_from, valid_until, state, granted_by_name, granted_by_isni, recorded_by,
           evidence_method, evidence_document_hash, evidence_url, recorded_at)
         SELECT s.scope, s.work_id, s.artist_id, $4::text[], $5::text[], $6::text[], coalesce($7::timestamptz, clock.now),
                $8::timestamptz, $9::text, $10::text, $11::text, $12::uuid, $13::text, $14::text, $15::text, clock.now
         FROM unnest($1::text[], $2::uuid[], $3::uuid[]) WITH ORDINALITY AS s(scope, work_id, artist_id, ordinal), clock
         ORDER BY s.ordinal
         RETURNING ${RECORD_COLUMNS.replace(/c\./g, '')}`,
        [
          subjects.map((s) => s.scope),
          subjects.map((s) => s.workId),
          subjects.map((s) => s.artistId),
          d.useTypes,
          d.territories,
          d.excludedTerritories,
          d.validFrom,
          d.validUntil,
          d.state,
          d.grantedByName,
          d.grantedByIsni,
          viewer.partnerId,
          d.evidenceMethod,
          d.evidenceDocumentHash,
          d.evidenceUrl,
        ],
      ).catch(refuseValidUntilPassedAtRecording)) as ConsentRecordRow[];

      const concerned = await this.concernedPartners(manager, records);
      const isrcByWork = new Map(works.map((w) => [w.id, w.label]));
      await appendChangeEvents(
        manager,
        records.map((record) => ({
          type: eventType,
          entityId: toGlobalId('ConsentRecord', record.id),
          actorId: viewer.partnerId,
          partnerIds: [viewer.partnerId, ...(concerned.get(record.id) ?? [])],
          // What a partner told of the change may know: never the evidence or who declared it.
          payload: {
            scope: record.scope,
            ...(record.work_id
              ? { isrc: isrcByWork.get(record.work_id) }
              : { artist: toGlobalId('Artist', record.artist_id!) }),
            state: record.state,
            useTypes: record.use_types,
            territories: record.territories,
            excludedTerritories: record.excluded_territories,
            validFrom: record.valid_from,
            validUntil: record.valid_until,
          },
        })),
      );
      const bySubject = new Map(records.map((r) => [r.work_id ?? r.artist_id, r]));
      return subjects.map((s) => bySubject.get(s.workId ?? s.artistId)!);
    });
  }

  /** Locked in ISRC order, as registerWorks does, so that the two queue rather than deadlock. */
  private async lockWorks(manager: EntityManager, viewer: Viewer, isrcs: string[]): Promise<Subject[]> {
    if (isrcs.length === 0) return [];
    const rows = (await manager.query(
      `SELECT w.id, w.isrc AS label, ARRAY(SELECT rs.label_id FROM right_share rs WHERE rs.work_id = w.id) AS owner_ids
       FROM work w WHERE w.isrc = ANY($1::text[]) ORDER BY w.isrc FOR NO KEY UPDATE OF w`,
      [isrcs],
    )) as Subject[];
    const byIsrc = new Map(rows.filter((row) => knownTo(viewer, row)).map((row) => [row.label, row]));
    const problems: ConsentProblem[] = [];
    isrcs.forEach((isrc, index) => {
      if (!byIsrc.has(isrc)) problems.push({ field: 'works', index, item: isrc, message: 'no work with this ISRC' });
    });
    rejectConsentProblems(problems);
    return isrcs.map((isrc) => byIsrc.get(isrc)!);
  }

  /** An artist's owners, for consent, are the labels owning a work on which the artist is MAIN. */
  private async lockArtists(manager: EntityManager, viewer: Viewer, artistIds: string[]): Promise<Subject[]> {
    if (artistIds.length === 0) return [];
    const rows = (await manager.query(
      `SELECT a.id, a.name AS label, ARRAY(
         SELECT DISTINCT rs.label_id FROM work_artist wa JOIN right_share rs ON rs.work_id = wa.work_id
         WHERE wa.artist_id = a.id AND wa.role = 'MAIN') AS owner_ids
       FROM artist a WHERE a.id = ANY($1::uuid[]) ORDER BY a.id FOR NO KEY UPDATE OF a`,
      [artistIds],
    )) as Subject[];
    const byId = new Map(rows.filter((row) => knownTo(viewer, row)).map((row) => [row.id, row]));
    const problems: ConsentProblem[] = [];
    artistIds.forEach((id, index) => {
      if (!byId.has(id)) problems.push({ field: 'artists', index, item: toGlobalId('Artist', id), message: 'no artist with this id' });
    });
    rejectConsentProblems(problems);
    return artistIds.map((id) => byId.get(id)!);
  }

  /** A label for what it owns, a distributor through a MANAGE_CONSENT mandate, internal for anything. */
  private checkMayManage(viewer: Viewer, works: Subject[], artists: Subject[]): void {
    if (isInternal(viewer)) return;
    const actedFor = new Set(labelsActedFor(viewer, MandatePermission.MANAGE_CONSENT));
    const refuse = (field: string, index: number, item: string, what: string) => {
      throw new ForbiddenError(`${field}[${index}] (${item}): you do not act (MANAGE_CONSENT) for a label owning ${what}`, {
        field,
        index,
        item,
      });
    };
    works.forEach((work, index) => {
      if (!work.owner_ids.some((id) => actedFor.has(id))) refuse('works', index, work.label, 'this work');
    });
    artists.forEach((artist, index) => {
      if (!artist.owner_ids.some((id) => actedFor.has(id))) {
        refuse('artists', index, toGlobalId('Artist', artist.id), 'a work on which this artist is MAIN');
      }
    });
  }

  /**
   * Who hears about each record: the owners of every work it bears on, and the AI partners licensing one
   * of those works (agreements/licensees.ts). Computed in one statement.
   */
  private async concernedPartners(manager: EntityManager, records: ConsentRecordRow[]): Promise<Map<string, string[]>> {
    const rows = (await manager.query(
      `WITH record AS (
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[]) AS r(id, work_id, artist_id)
       ),
       affected AS (
         SELECT r.id AS record_id, r.work_id FROM record r WHERE r.work_id IS NOT NULL
         UNION
         SELECT r.id, wa.work_id FROM record r JOIN work_artist wa ON wa.artist_id = r.artist_id AND wa.role = 'MAIN'
       ),
       holding AS (
         SELECT a.record_id AS key, a.work_id, rs.label_id FROM affected a JOIN right_share rs ON rs.work_id = a.work_id
       ),
       concerned AS (
         SELECT key, label_id AS partner_id FROM holding
         UNION
         ${licenseesOfHoldings('holding h')}
       )
       SELECT key AS record_id, array_agg(partner_id) AS partner_ids FROM concerned GROUP BY key`,
      [records.map((r) => r.id), records.map((r) => r.work_id), records.map((r) => r.artist_id)],
    )) as { record_id: string; partner_ids: string[] }[];
    return new Map(rows.map((row) => [row.record_id, row.partner_ids]));
  }
}
