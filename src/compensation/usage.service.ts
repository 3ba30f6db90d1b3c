import type { DataSource, EntityManager } from 'typeorm';
import { CompensationModel, type StoredCompensation } from '../agreements/agreement.entity';
import { lockAgreementRow } from '../agreements/agreement-lock';
import { transactionAs } from '../auth/transaction-as';
import { isInternal, labelsActedFor, type Viewer } from '../auth/viewer';
import { BadInputError, ConflictError, ForbiddenError, InvalidTransitionError, NotFoundError } from '../common/errors';
import { chronologicalPage, isChronologicalPosition, readPage, type Connection, type PageArgs } from '../common/relay/connection';
import { idOf, toGlobalId } from '../common/relay/global-id';
import { ChangeType } from '../events/change-type';
import { appendChangeEvents, type NewChangeEvent } from '../events/outbox';
import { MandatePermission } from '../partners/mandate.entity';
import { IdempotencyKeyReusedError } from './compensation.errors';
import type { ReverseUsageReportInput, SubmitUsageReportInput } from './compensation.types';
import { flatFeeDue, moveFlatFee } from './flat-fee';
import { insertEntries } from './ledger';
import { adjustMinimumGuarantee } from './minimum-guarantee';
import { rate, type PayableLine } from './rating';
import type { Share } from './split';
import type { UseDecider } from './usage-decider';
import { endOfMonth, payloadDigest, validateReport, validateReportAmounts } from './usage.validation';

export const MAX_REPORTS_PAGE = 100;
/** Reads of a report's works and its judgement, repeated while registrations on them commit in between. */
const MAX_RATING_ATTEMPTS = 5;

export interface UsageReportRow {
  id: string;
  ai_partner_id: string;
  agreement_id: string;
  licensor_id: string;
  period_start: Date;
  period_end: Date;
  statement_period: string;
  territory: string;
  currency: string;
  idempotency_key: string;
  payload_digest: string;
  line_count: number;
  violation_count: number;
  total_minor: string;
  reversed_at: Date | null;
  created_at: Date;
}

export interface ViolationRow {
  report_id: string;
  line_number: number;
  isrc: string;
  use_type: string;
  units: string;
  violation_reasons: string[];
}

interface AgreementForReport {
  id: string;
  licensor_id: string;
  licensee_id: string;
  use_types: string[] | null;
  compensation: StoredCompensation | null;
}

const REPORT_SELECT = `
  SELECT r.id, r.ai_partner_id, r.agreement_id, a.licensor_id, r.period_start, r.period_end, r.statement_period,
         r.territory, r.currency, r.idempotency_key, r.payload_digest, r.line_count, r.violation_count,
         (SELECT COALESCE(sum(e.amount_minor), 0)::text FROM ledger_entry e WHERE e.report_id = r.id) AS total_minor,
         r.reversed_at, r.created_at
  FROM usage_report r JOIN agreement a ON a.id = r.agreement_id`;

/** Reports an AI partner sent, those under the agreements of labels the viewer represents; internal: all. */
function reportVisibility(viewer: Viewer, params: unknown[]): string {
  if (isInternal(viewer)) return 'TRUE';
  params.push(viewer.partnerId, labelsActedFor(viewer, MandatePermission.READ_CATALOG));
  return `(r.ai_partner_id = $${params.length - 1} OR a.licensor_id = ANY($${params.length}::uuid[]))`;
}

export class UsageService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly decider: UseDecider,
  ) {}

  async findByIds(viewer: Viewer, ids: readonly string[]): Promise<(UsageReportRow | undefined)[]> {
    const params: unknown[] = [ids];
    const rows = (await this.dataSource.query(`${REPORT_SELECT} WHERE r.id = ANY($1::uuid[]) AND ${reportVisibility(viewer, params)}`, params)) as UsageReportRow[];
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id));
  }

  async list(viewer: Viewer, args: PageArgs): Promise<Connection<UsageReportRow>> {
    const page = readPage(args, MAX_REPORTS_PAGE, isChronologicalPosition('usage-reports'));
    const params: unknown[] = [];
    const conditions = [reportVisibility(viewer, params)];
    return chronologicalPage<UsageReportRow>(this.dataSource, { list: 'usage-reports', select: REPORT_SELECT, alias: 'r', conditions, params }, page);
  }

  async violationsOf(reportIds: readonly string[]): Promise<ViolationRow[]> {
    return this.dataSource.query(
      `SELECT l.report_id, l.line_number, w.isrc, l.use_type, l.units::text AS units, l.violation_reasons
       FROM usage_line l JOIN work w ON w.id = l.work_id
       WHERE l.report_id = ANY($1::uuid[]) AND cardinality(l.violation_reasons) > 0
       ORDER BY l.report_id, l.line_number`,
      [reportIds],
    );
  }

  /**
   * Records a report, all or nothing: lines the decision rule denies become violations (stored, not
   * paid, announced); the others are rated under the agreement and split into ledger entries. The same
   * idempotency key returns the first report when the payload is the same, and is refused otherwise.
   */
  async submit(viewer: Viewer, input: SubmitUsageReportInput): Promise<UsageReportRow> {
    const statementPeriod = validateReport(input);
    const agreementId = idOf('Agreement', input.agreementId, 'agreementId');
    const digest = payloadDigest(input);
    const key = input.idempotencyKey.trim();
    return transactionAs(this.dataSource, viewer, async (manager, viewer) => {
      // Serializes submissions of one key: concurrent retries wait, then find the first report.
      await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`usage:${viewer.partnerId}:${key}`]);
      const [existing] = (await manager.query(`${REPORT_SELECT} WHERE r.ai_partner_id = $1 AND r.idempotency_key = $2`, [
        viewer.partnerId,
        key,
      ])) as UsageReportRow[];
      if (existing) {
        if (existing.payload_digest !== digest) throw new IdempotencyKeyReusedError(key);
        return existing;
      }
      const agreement = await this.lockAgreement(manager, viewer, agreementId);
      const compensation = agreement.compensation!;
      // Needs the agreement's terms, so not in validateReport; still before anything is written.
      const revenues = validateReportAmounts(input.lines, compensation);
      const { lines, denials } = await this.judgeOnOneState(manager, viewer, input, agreement, revenues);
      const violationCount = denials.filter((reasons) => reasons.length > 0).length;
      const [{ id: reportId }] = (await manager.query(
        `INSERT INTO usage_report (ai_partner_id, agreement_id, period_start, period_end, statement_period, territory,
           currency, idempotency_key, payload_digest, line_count, violation_count)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
        [viewer.partnerId, agreement.id, input.periodStart, input.periodEnd, statementPeriod, input.territory,
          compensation.currency, key, digest, lines.length, violationCount],
      )) as { id: string }[];
      await this.insertLines(manager, reportId, lines, denials, input);

      const payable: PayableLine[] = lines.filter((_, i) => denials[i].length === 0);
      const fee = await flatFeeDue(manager, { id: agreement.id, compensation }, statementPeriod);
      const entries = rate(payable, compensation, agreement.licensor_id, fee);
      await insertEntries(
        manager,
        { reportId, agreementId: agreement.id, aiPartnerId: viewer.partnerId, statementPeriod, currency: compensation.currency },
        entries,
      );
      await adjustMinimumGuarantee(
        manager,
        { id: agreement.id, licensorId: agreement.licensor_id, aiPartnerId: viewer.partnerId, compensation },
        reportId,
        statementPeriod,
      );

      const rightsholders = [...new Set(entries.map((e) => e.rightsholderId))];
      const events: NewChangeEvent[] = [
        {
          type: ChangeType.USAGE_REPORTED,
          entityId: toGlobalId('UsageReport', reportId),
          actorId: viewer.partnerId,
          partnerIds: [viewer.partnerId, agreement.licensor_id, ...rightsholders],
          payload: { statementPeriod, lineCount: lines.length, violationCount, aiPartnerId: viewer.partnerId, licensorId: agreement.licensor_id },
        },
      ];
      if (violationCount > 0) {
        events.push({
          type: ChangeType.USAGE_VIOLATION,
          entityId: toGlobalId('UsageReport', reportId),
          actorId: viewer.partnerId,
          partnerIds: [viewer.partnerId, agreement.licensor_id],
          payload: { statementPeriod, lineCount: lines.length, violationCount, aiPartnerId: viewer.partnerId, licensorId: agreement.licensor_id },
        });
      }
      await appendChangeEvents(manager, events);
      const [report] = (await manager.query(`${REPORT_SELECT} WHERE r.id = $1`, [reportId])) as UsageReportRow[];
      return report;
    });
  }

  /**
   * Reverses a report with exact opposite entries; nothing is updated or deleted in the ledger. The
   * reporter may do it until the month's statement is issued; internal at any time (a correction).
   */
  async reverse(viewer: Viewer, input: ReverseUsageReportInput): Promise<UsageReportRow> {
    const reportId = idOf('UsageReport', input.report, 'report');
    if (!input.reason.trim()) throw new BadInputError('reason: a reversal needs a reason', { field: 'reason' });
    return transactionAs(this.dataSource, viewer, async (manager, viewer) => {
      const params: unknown[] = [reportId];
      // NO KEY: another reversal may move a fee onto this report meanwhile (ledger rows referring to it take
      // a key-share lock); waiting for it while it waits for the agreement row would deadlock.
      const [report] = (await manager.query(
        `${REPORT_SELECT} WHERE r.id = $1 AND ${reportVisibility(viewer, params)} FOR NO KEY UPDATE OF r`,
        params,
      )) as UsageReportRow[];
      if (!report) throw new NotFoundError('usage report not found', { report: input.report });
      const reporter = viewer.partnerId === report.ai_partner_id;
      if (!isInternal(viewer) && !reporter) throw new ForbiddenError('only the reporting AI partner or internal may reverse a report');
      if (!isInternal(viewer) && new Date() >= endOfMonth(report.statement_period)) {
        throw new ForbiddenError(`the ${report.statement_period} statement is issued: ask Accord operations for a correction`);
      }
      if (report.reversed_at) throw new InvalidTransitionError('usage report is already reversed');
      await lockAgreementRow(manager, report.agreement_id);
      const [agreement] = (await manager.query(
        `SELECT a.id, a.licensor_id, t.compensation FROM agreement a
         JOIN agreement_terms t ON t.agreement_id = a.id AND t.terms_version = a.terms_in_force
         WHERE a.id = $1`,
        [report.agreement_id],
      )) as { id: string; licensor_id: string; compensation: StoredCompensation }[];
      const reversedEntries = (await manager.query(
        `INSERT INTO ledger_entry (report_id, agreement_id, ai_partner_id, rightsholder_id, work_id, use_type, kind,
           statement_period, currency, units, amount_minor, reverses_entry_id)
         SELECT report_id, agreement_id, ai_partner_id, rightsholder_id, work_id, use_type, kind,
                statement_period, currency, -units, -amount_minor, id
         FROM ledger_entry e
         WHERE e.report_id = $1 AND e.reverses_entry_id IS NULL
           AND NOT EXISTS (SELECT 1 FROM ledger_entry r WHERE r.reverses_entry_id = e.id)
         RETURNING rightsholder_id`,
        [reportId],
      )) as { rightsholder_id: string }[];
      await manager.query(`UPDATE usage_report SET reversed_at = now(), reversed_by = $2 WHERE id = $1`, [reportId, viewer.partnerId]);
      // Before the guarantee, which must count the fee where it moved.
      const movedFee = await moveFlatFee(manager, {
        id: reportId,
        agreementId: agreement.id,
        licensorId: agreement.licensor_id,
        statementPeriod: report.statement_period,
        currency: report.currency,
      });
      await adjustMinimumGuarantee(
        manager,
        { id: agreement.id, licensorId: agreement.licensor_id, aiPartnerId: report.ai_partner_id, compensation: agreement.compensation },
        reportId,
        report.statement_period,
      );
      await appendChangeEvents(manager, [
        {
          type: ChangeType.USAGE_REPORT_REVERSED,
          entityId: toGlobalId('UsageReport', reportId),
          actorId: viewer.partnerId,
          // Everyone whose ledger changed: the reversed entries' rights holders, and those the fee moved to.
          partnerIds: [
            report.ai_partner_id,
            report.licensor_id,
            ...new Set([...reversedEntries.map((e) => e.rightsholder_id), ...movedFee.map((e) => e.rightsholderId)]),
          ],
          payload: {
            statementPeriod: report.statement_period,
            reason: input.reason.trim(),
            aiPartnerId: report.ai_partner_id,
            licensorId: report.licensor_id,
          },
        },
      ]);
      const [reversed] = (await manager.query(`${REPORT_SELECT} WHERE r.id = $1`, [reportId])) as UsageReportRow[];
      return reversed;
    });
  }

  /** The agreement with its terms in force, locked: reports on one agreement are rated one at a time. */
  private async lockAgreement(manager: EntityManager, viewer: Viewer, agreementId: string): Promise<AgreementForReport> {
    await lockAgreementRow(manager, agreementId);
    const [agreement] = (await manager.query(
      `SELECT a.id, a.licensor_id, a.licensee_id, t.use_types, t.compensation
       FROM agreement a LEFT JOIN agreement_terms t ON t.agreement_id = a.id AND t.terms_version = a.terms_in_force
       WHERE a.id = $1`,
      [agreementId],
    )) as AgreementForReport[];
    if (!agreement || agreement.licensee_id !== viewer.partnerId) {
      throw new ForbiddenError('you are not the licensee of this agreement', { field: 'agreementId' });
    }
    if (!agreement.compensation) {
      throw new BadInputError('agreementId: the agreement has never been in force', { field: 'agreementId' });
    }
    return agreement;
  }

  /**
   * The lines with their works' shares, and the rule's denials, from one state of the works. They are
   * read by separate statements: when a registerWorks on the works (which bumps their version) commits
   * in between, both are read again. Without locks, so that reports never hold up registrations or
   * consent changes on popular works.
   */
  private async judgeOnOneState(
    manager: EntityManager,
    viewer: Viewer,
    input: SubmitUsageReportInput,
    agreement: AgreementForReport,
    revenues: readonly (bigint | null)[],
  ): Promise<{ lines: (PayableLine & { isrc: string })[]; denials: string[][] }> {
    for (let attempt = 1; ; attempt += 1) {
      const { lines, versions } = await this.resolveLines(manager, input, agreement, revenues);
      const denials = await this.decider.denials(manager, {
        aiPartnerId: viewer.partnerId,
        territory: input.territory,
        at: input.periodStart,
        uses: input.lines.map((line) => ({ isrc: line.isrc, useType: line.useType })),
      });
      const now = (await manager.query(`SELECT id, version FROM work WHERE id = ANY($1::uuid[])`, [[...versions.keys()]])) as {
        id: string;
        version: number;
      }[];
      if (now.every((work) => versions.get(work.id) === work.version)) return { lines, denials };
      if (attempt === MAX_RATING_ATTEMPTS) {
        throw new ConflictError('the reported works kept changing while the report was rated; retry', { field: 'lines' });
      }
    }
  }

  /**
   * Each line with its work, shares and revenue (in minor units, from validateReportAmounts), and each
   * work's version as read with its shares; unknown ISRCs and uses outside the agreement are refused by line.
   */
  private async resolveLines(
    manager: EntityManager,
    input: SubmitUsageReportInput,
    agreement: AgreementForReport,
    revenues: readonly (bigint | null)[],
  ): Promise<{ lines: (PayableLine & { isrc: string })[]; versions: Map<string, number> }> {
    const compensation = agreement.compensation!;
    const isrcs = [...new Set(input.lines.map((line) => line.isrc))];
    const works = (await manager.query(
      `SELECT w.isrc, w.id, w.version,
              json_agg(json_build_object('holderId', rs.label_id, 'bps', rs.share_bps) ORDER BY rs.label_id) AS shares
       FROM work w JOIN right_share rs ON rs.work_id = w.id WHERE w.isrc = ANY($1::text[]) GROUP BY w.id`,
      [isrcs],
    )) as { isrc: string; id: string; version: number; shares: Share[] }[];
    const byIsrc = new Map(works.map((w) => [w.isrc, w]));
    const unknown = input.lines.findIndex((line) => !byIsrc.has(line.isrc));
    if (unknown >= 0) {
      throw new BadInputError(`lines[${unknown}].isrc: ${input.lines[unknown].isrc} is not a registered work`, {
        field: `lines[${unknown}].isrc`,
        index: unknown,
      });
    }
    const outside = input.lines.findIndex((line) => !agreement.use_types!.includes(line.useType));
    if (outside >= 0) {
      throw new BadInputError(`lines[${outside}].useType: ${input.lines[outside].useType} is not licensed by this agreement`, {
        field: `lines[${outside}].useType`,
        index: outside,
      });
    }
    const lines = input.lines.map((line, index) => {
      const field = `lines[${index}].revenue`;
      if (compensation.model === CompensationModel.REVENUE_SHARE && !line.revenue) {
        throw new BadInputError(`${field}: REVENUE_SHARE needs the revenue of every line`, { field, index });
      }
      const work = byIsrc.get(line.isrc)!;
      return {
        isrc: line.isrc,
        workId: work.id,
        useType: line.useType,
        units: BigInt(line.units),
        revenueMinor: revenues[index],
        shares: work.shares,
      };
    });
    return { lines, versions: new Map(works.map((work) => [work.id, work.version])) };
  }

  private async insertLines(
    manager: EntityManager,
    reportId: string,
    lines: (PayableLine & { isrc: string })[],
    denials: string[][],
    input: SubmitUsageReportInput,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO usage_line (report_id, line_number, work_id, use_type, units, revenue_minor, decision_id, violation_reasons)
       SELECT $1, l.n, l.work_id, l.use_type, l.units, l.revenue_minor, l.decision_id, ARRAY(SELECT jsonb_array_elements_text(l.reasons))
       FROM jsonb_to_recordset($2::jsonb) AS l(n int, work_id uuid, use_type text, units bigint, revenue_minor bigint, decision_id uuid, reasons jsonb)`,
      [
        reportId,
        JSON.stringify(
          lines.map((line, i) => ({
            n: i,
            work_id: line.workId,
            use_type: line.useType,
            units: line.units.toString(),
            revenue_minor: line.revenueMinor?.toString() ?? null,
            decision_id: input.lines[i].decisionId ? idOf('DecisionBatch', input.lines[i].decisionId!, `lines[${i}].decisionId`) : null,
            reasons: denials[i],
          })),
        ),
      ],
    );
  }
}
