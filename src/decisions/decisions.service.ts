import { createHash, randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { coalescingLoader } from '../db/coalescing-loader';
import { queryPrepared } from '../db/prepared';
import type { Viewer } from '../auth/viewer';
import { BadInputError, ForbiddenError } from '../common/errors';
import { readPage, toConnection, type Connection, type PageArgs } from '../common/relay/connection';
import { idOf, toGlobalId } from '../common/relay/global-id';
import type { UseType } from '../common/use-type';
import { PartnerType } from '../partners/partner.entity';
import type { WorkRow, WorksService } from '../works/works.service';
import { DECISION_SQL, LICENSED_WORKS_SQL, PREPARED_BATCH_LIMIT, type DecisionRow } from './decision-rule';
import { Decision, type ConsentDecision, type ConsentDecisionBatch, type DecisionReason } from './decisions.types';
import { validateIsrcs } from './decisions.validation';
import type { ReceiptSigner } from './receipt';

export const MAX_LICENSED_WORKS_PAGE = 1000;

export interface DecisionQuestion {
  isrcs: string[];
  use: UseType;
  territory: string;
  at?: Date | null;
  aiPartner?: string | null;
}

export interface LicensedWorksQuestion {
  use: UseType;
  territory: string;
  aiPartner?: string | null;
}

/** Shared by every empty list of every decision: no allocation for what is not there. */
const NONE: readonly string[] = Object.freeze([]);

function reasonsOf(text: string): readonly DecisionReason[] {
  return text === '' ? (NONE as readonly DecisionReason[]) : (text.split(',') as DecisionReason[]);
}

/**
 * Comma-separated uuids from SQL to Relay ids, sorted (SQL aggregates them unordered: ordering there
 * costs a sort per work). Agreements and labels repeat across a batch, so their ids are memoized.
 */
function idsOf(text: string, type: string, memo?: Map<string, string>): readonly string[] {
  if (text === '') return NONE;
  const convert = (id: string) => {
    let globalId = memo?.get(id);
    if (globalId === undefined) {
      globalId = toGlobalId(type, id);
      memo?.set(id, globalId);
    }
    return globalId;
  };
  if (!text.includes(',')) return [convert(text)];
  return text.split(',').map(convert).sort();
}

/** One batch's question to the rule, as the statement takes it; `at` null means "at evaluation". */
interface RuleQuestion {
  isrcs: readonly string[];
  aiPartnerId: string;
  use: UseType;
  territory: string;
  at: Date | null;
}

interface RuleAnswer {
  rows: DecisionRow[];
  at: Date;
  evaluatedAt: Date;
}

interface BatchRecord {
  id: string;
  aiPartnerId: string;
  requestedBy: string;
  use: UseType;
  territory: string;
  at: Date;
  evaluatedAt: Date;
  workCount: number;
  digest: string;
  /** ISRCs never contain a comma; one string is cheaper to send than an escaped array of thousands. */
  allowedIsrcs: string;
}

/**
 * Batches up to this size asked concurrently share one statement (see coalescingLoader); a larger one has
 * the statement to itself, planned for its size.
 */
const SHARED_BATCH_LIMIT = 100;

/** The ISRCs of many questions asked together, one statement per group that shares partner, use, territory and time. */
function sharedStatements(questions: readonly RuleQuestion[]): number[][] {
  const statements: number[][] = [];
  const open = new Map<string, { indexes: number[]; isrcs: number }>();
  questions.forEach((question, index) => {
    const key = `${question.aiPartnerId}|${question.use}|${question.territory}|${question.at?.toISOString() ?? 'now'}`;
    let statement = open.get(key);
    if (!statement || statement.isrcs + question.isrcs.length > PREPARED_BATCH_LIMIT) {
      statement = { indexes: [], isrcs: 0 };
      open.set(key, statement);
      statements.push(statement.indexes);
    }
    statement.indexes.push(index);
    statement.isrcs += question.isrcs.length;
  });
  return statements;
}

export class DecisionsService {
  private readonly sharedRule = coalescingLoader<RuleQuestion, RuleAnswer>((questions) => this.applySharedRule(questions));
  private readonly batchRecords = coalescingLoader<BatchRecord, void>(async (records) => {
    await this.insertBatchRecords(records);
    return records.map(() => undefined);
  });

  constructor(
    private readonly dataSource: DataSource,
    private readonly works: WorksService,
    private readonly signer: ReceiptSigner,
    private readonly issuer: string,
  ) {}

  /**
   * Decides for every ISRC in three statements whatever their number (the viewer, the rule, the batch
   * record; a fourth when internal names the AI partner), and concurrent requests share them. Reads
   * committed data only: nothing is cached, so a withdrawal that has committed is seen.
   */
  async decide(viewer: Viewer, question: DecisionQuestion): Promise<ConsentDecisionBatch> {
    validateIsrcs(question.isrcs);
    const aiPartnerId = await this.aiPartnerFor(viewer, question.aiPartner);
    const ruleQuestion: RuleQuestion = { isrcs: question.isrcs, aiPartnerId, use: question.use, territory: question.territory, at: question.at ?? null };
    const { rows, at, evaluatedAt } =
      question.isrcs.length <= SHARED_BATCH_LIMIT ? await this.sharedRule.load(ruleQuestion) : await this.applyRule(ruleQuestion);

    const decisions: ConsentDecision[] = new Array(rows.length);
    const lines: string[] = new Array(rows.length);
    const allowed: string[] = [];
    const partners = new Map<string, string>();
    const agreements = new Map<string, string>();
    for (let i = 0; i < rows.length; i += 1) {
      const row = rows[i];
      const decision = row.reasons === '' ? Decision.ALLOW : Decision.DENY;
      if (decision === Decision.ALLOW) allowed.push(row.isrc);
      const result: ConsentDecision = {
        isrc: row.isrc,
        decision,
        reasons: reasonsOf(row.reasons),
        rightsholdersWithoutAgreement: idsOf(row.unlicensed, 'Partner', partners),
        agreements: idsOf(row.agreements, 'Agreement', agreements),
        consentRecords: idsOf(row.records, 'ConsentRecord'),
      };
      decisions[i] = result;
      lines[i] = `${row.isrc}|${decision}|${row.reasons}|${result.rightsholdersWithoutAgreement.join(',')}|${result.agreements.join(',')}|${result.consentRecords.join(',')}`;
    }
    const digest = createHash('sha256').update(lines.join('\n')).digest('base64url');

    const decisionId = randomUUID();
    await this.batchRecords.load({
      id: decisionId,
      aiPartnerId,
      requestedBy: viewer.partnerId,
      use: question.use,
      territory: question.territory,
      at,
      evaluatedAt,
      workCount: rows.length,
      digest,
      allowedIsrcs: allowed.join(','),
    });
    const batch = {
      decisionId: toGlobalId('DecisionBatch', decisionId),
      aiPartner: toGlobalId('Partner', aiPartnerId),
      use: question.use,
      territory: question.territory,
      at,
      evaluatedAt,
      digest,
    };
    const receipt = this.signer.sign({
      iss: this.issuer,
      iat: Math.floor(evaluatedAt.getTime() / 1000),
      decisionId: batch.decisionId,
      partner: batch.aiPartner,
      use: batch.use,
      territory: batch.territory,
      at: at.toISOString(),
      evaluatedAt: evaluatedAt.toISOString(),
      count: rows.length,
      digest,
    });
    return { ...batch, receipt, decisions };
  }

  /** One statement of the rule for one question, evaluated now. */
  private async applyRule(question: RuleQuestion): Promise<RuleAnswer> {
    const evaluatedAt = new Date();
    const at = question.at ?? evaluatedAt;
    const parameters = [question.isrcs, question.aiPartnerId, question.use, question.territory, at];
    // Planning costs more than deciding a few works, so small batches reuse a prepared plan; a large
    // batch pays ~2 ms to get a plan fitted to its size (a generic one runs it markedly slower).
    const rows =
      question.isrcs.length <= PREPARED_BATCH_LIMIT
        ? await queryPrepared<DecisionRow>(this.dataSource, 'consent-decisions', DECISION_SQL, parameters)
        : ((await this.dataSource.query(DECISION_SQL, parameters)) as DecisionRow[]);
    return { rows, at, evaluatedAt };
  }

  /**
   * Small questions asked together: those about the same partner, use, territory and time are answered by
   * one statement over their ISRCs put end to end (the rule answers one row per ISRC asked, in order, a
   * repeated ISRC included), then cut back into each question's rows.
   */
  private async applySharedRule(questions: readonly RuleQuestion[]): Promise<(RuleAnswer | Error)[]> {
    const answers: (RuleAnswer | Error)[] = new Array(questions.length);
    await Promise.all(
      sharedStatements(questions).map(async (indexes) => {
        const first = questions[indexes[0]];
        try {
          const shared = await this.applyRule({ ...first, isrcs: indexes.flatMap((i) => questions[i].isrcs) });
          let offset = 0;
          for (const i of indexes) {
            const count = questions[i].isrcs.length;
            answers[i] = { ...shared, rows: shared.rows.slice(offset, offset + count) };
            offset += count;
          }
        } catch (error) {
          for (const i of indexes) answers[i] = error instanceof Error ? error : new Error(String(error));
        }
      }),
    );
    return answers;
  }

  /**
   * Records batches without waiting for the WAL flush (synchronous_commit off for this one transaction):
   * the signed receipt is the proof of what was answered, and a usage report re-evaluates the rule
   * itself, so a crash that loses the last instant's batch rows costs an index entry, not evidence,
   * while the flush would cost more than the decision of a single work.
   */
  private async insertBatchRecords(records: readonly BatchRecord[]): Promise<void> {
    const column = <T>(value: (record: BatchRecord) => T) => records.map(value);
    await queryPrepared(
      this.dataSource,
      'decision-batches-insert',
      `WITH durability AS (SELECT set_config('synchronous_commit', 'off', true))
       INSERT INTO decision_batch
         (id, ai_partner_id, requested_by, use_type, territory, decided_for, evaluated_at, work_count, digest, allowed_isrcs)
       SELECT b.id, b.ai_partner_id, b.requested_by, b.use_type, b.territory, b.decided_for, b.evaluated_at, b.work_count,
              b.digest, string_to_array(b.allowed, ',')
       FROM durability,
            unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::timestamptz[], $7::timestamptz[],
                   $8::int[], $9::text[], $10::text[])
              AS b(id, ai_partner_id, requested_by, use_type, territory, decided_for, evaluated_at, work_count, digest, allowed)`,
      [
        column((r) => r.id),
        column((r) => r.aiPartnerId),
        column((r) => r.requestedBy),
        column((r) => r.use),
        column((r) => r.territory),
        column((r) => r.at),
        column((r) => r.evaluatedAt),
        column((r) => r.workCount),
        column((r) => r.digest),
        column((r) => r.allowedIsrcs),
      ],
    );
  }

  /**
   * The rule as usage reports need it: for each use (ISRC × use type), the reasons it is denied, empty
   * when allowed; one statement per distinct use type, inside the caller's transaction.
   */
  async denials(
    manager: EntityManager,
    request: { aiPartnerId: string; territory: string; at: Date; uses: readonly { isrc: string; useType: UseType }[] },
  ): Promise<string[][]> {
    const byUse = new Map<UseType, Set<string>>();
    for (const { isrc, useType } of request.uses) byUse.set(useType, (byUse.get(useType) ?? new Set()).add(isrc));
    const reasons = new Map<string, string[]>();
    for (const [useType, isrcs] of byUse) {
      const rows = (await manager.query(DECISION_SQL, [[...isrcs], request.aiPartnerId, useType, request.territory, request.at])) as DecisionRow[];
      for (const row of rows) reasons.set(`${useType}|${row.isrc}`, [...reasonsOf(row.reasons)]);
    }
    return request.uses.map(({ isrc, useType }) => reasons.get(`${useType}|${isrc}`)!);
  }

  /** The works the rule allows the AI partner now, a keyset page at a time in ISRC order. */
  async licensedWorks(viewer: Viewer, question: LicensedWorksQuestion, args: PageArgs): Promise<Connection<WorkRow>> {
    const page = readPage(args, MAX_LICENSED_WORKS_PAGE);
    const aiPartnerId = await this.aiPartnerFor(viewer, question.aiPartner);
    const licensed = (await this.dataSource.query(LICENSED_WORKS_SQL, [
      page.after ?? '',
      aiPartnerId,
      question.use,
      question.territory,
      new Date(),
      page.limit + 1,
    ])) as { id: string; isrc: string }[];
    const works = await this.works.findByIds(viewer, licensed.slice(0, page.limit).map((row) => row.id));
    const byId = new Map(works.filter((w): w is WorkRow => w !== undefined).map((w) => [w.id, w]));
    return toConnection(licensed, page, (row) => row.isrc, (row) => byId.get(row.id)!);
  }

  /**
   * Whom the question is about: an AI partner asks for itself only; internal names the AI partner. Labels
   * and distributors never get here (the policy refuses them), and are refused again if they do.
   */
  private async aiPartnerFor(viewer: Viewer, aiPartner: string | null | undefined): Promise<string> {
    if (viewer.type === PartnerType.AI_PARTNER) {
      if (aiPartner && idOf('Partner', aiPartner, 'aiPartner') !== viewer.partnerId) {
        throw new ForbiddenError('an AI partner may ask only for itself', { field: 'aiPartner' });
      }
      return viewer.partnerId;
    }
    if (viewer.type !== PartnerType.INTERNAL) throw new ForbiddenError('only AI partners and internal tools may ask for decisions');
    if (!aiPartner) throw new BadInputError('aiPartner is required when internal asks', { field: 'aiPartner' });
    const id = idOf('Partner', aiPartner, 'aiPartner');
    const [row] = (await this.dataSource.query(`SELECT type FROM partner WHERE id = $1`, [id])) as { type: PartnerType }[];
    if (row?.type !== PartnerType.AI_PARTNER) {
      throw new BadInputError('aiPartner: no AI_PARTNER partner with this id', { field: 'aiPartner' });
    }
    return id;
  }
}
