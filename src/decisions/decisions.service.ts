import { createHash, randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { Viewer } from '../auth/viewer';
import { BadInputError, ForbiddenError } from '../common/errors';
import { isIsrcPosition, readPage, toConnection, type Connection, type PageArgs } from '../common/relay/connection';
import { idOf, toGlobalId } from '../common/relay/global-id';
import type { UseType } from '../common/use-type';
import { PartnerType } from '../partners/partner.entity';
import type { WorkRow, WorksService } from '../works/works.service';
import { DECISION_SQL, LICENSED_WORKS_SQL, type DecisionRow } from './decision-rule';
import { DecisionStatements } from './decision-statements';
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

/** A batch answered, and the write of its record, in flight: the answer must not leave before it commits. */
export interface DecidedBatch {
  batch: ConsentDecisionBatch;
  recorded: Promise<void>;
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
 * costs a sort per work). Agreements, labels and artists' consent records repeat across a batch, so
 * the ids are memoized per batch.
 */
function idsOf(text: string, type: string, memo: Map<string, string>): readonly string[] {
  if (text === '') return NONE;
  const convert = (id: string) => {
    let globalId = memo.get(id);
    if (globalId === undefined) {
      globalId = toGlobalId(type, id);
      memo.set(id, globalId);
    }
    return globalId;
  };
  if (!text.includes(',')) return [convert(text)];
  return text.split(',').map(convert).sort();
}

export class DecisionsService {
  private readonly statements: DecisionStatements;

  constructor(
    private readonly dataSource: DataSource,
    private readonly works: WorksService,
    private readonly signer: ReceiptSigner,
    private readonly issuer: string,
  ) {
    this.statements = new DecisionStatements(dataSource);
  }

  /**
   * Decides for every ISRC in three statements whatever their number (the viewer, the rule, the batch
   * record; a fourth when internal names the AI partner), and concurrent requests share them. Reads
   * committed data only: nothing is cached, so a withdrawal that has committed is seen.
   *
   * Answers as soon as the record is sent, not committed: the caller waits for `recorded` before the
   * answer leaves (a request holds it in its AnswerGate), and builds the rest of the answer meanwhile.
   */
  async decide(viewer: Viewer, question: DecisionQuestion): Promise<DecidedBatch> {
    validateIsrcs(question.isrcs);
    const aiPartnerId = await this.aiPartnerFor(viewer, question.aiPartner);
    const { rows, at, evaluatedAt } = await this.statements.decide({
      isrcs: question.isrcs,
      aiPartnerId,
      use: question.use,
      territory: question.territory,
      at: question.at ?? null,
    });

    const decisions: ConsentDecision[] = new Array(rows.length);
    const allowed: string[] = [];
    // Hashed line by line: one string of every line costs several times the hashing in copies.
    const digester = createHash('sha256');
    const partners = new Map<string, string>();
    const agreements = new Map<string, string>();
    const records = new Map<string, string>();
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
        consentRecords: idsOf(row.records, 'ConsentRecord', records),
      };
      decisions[i] = result;
      digester.update(
        `${i === 0 ? '' : '\n'}${row.isrc}|${decision}|${row.reasons}|${result.rightsholdersWithoutAgreement.join(',')}|${result.agreements.join(',')}|${result.consentRecords.join(',')}`,
      );
    }
    const digest = digester.digest('base64url');

    const decisionId = randomUUID();
    const { committed: recorded } = await this.statements.record({
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
    return { batch: { ...batch, receipt, decisions }, recorded };
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
    const page = readPage(args, MAX_LICENSED_WORKS_PAGE, isIsrcPosition);
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
