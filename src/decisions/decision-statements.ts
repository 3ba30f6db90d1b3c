import type { DataSource } from 'typeorm';
import type { UseType } from '../common/use-type';
import { coalescingLoader } from '../db/coalescing-loader';
import { queryOnPool } from '../db/pool-query';
import { DECISION_SQL, PREPARED_BATCH_LIMIT, type DecisionRow } from './decision-rule';

/** One batch's question to the rule, as the statement takes it; `at` null means "at evaluation". */
export interface RuleQuestion {
  isrcs: readonly string[];
  aiPartnerId: string;
  use: UseType;
  territory: string;
  at: Date | null;
}

export interface RuleAnswer {
  rows: DecisionRow[];
  at: Date;
  evaluatedAt: Date;
}

export interface BatchRecord {
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

/**
 * The statements behind consentDecisions: the rule over a batch of ISRCs, and the record of each batch
 * answered. Concurrent requests share them (see coalescingLoader), so under load a decision costs a
 * fraction of a round trip.
 */
export class DecisionStatements {
  private readonly shared = coalescingLoader<RuleQuestion, RuleAnswer>((questions) => this.applyShared(questions));
  private readonly records = coalescingLoader<BatchRecord, void>(async (records) => {
    await this.insertRecords(records);
    return records.map(() => undefined);
  });

  constructor(private readonly dataSource: DataSource) {}

  /** The rule's rows for the question, one per ISRC asked, in order. */
  decide(question: RuleQuestion): Promise<RuleAnswer> {
    return question.isrcs.length <= SHARED_BATCH_LIMIT ? this.shared.load(question) : this.applyAlone(question);
  }

  /**
   * Starts writing the batch's record, and resolves once the statement has left for PostgreSQL with the
   * promise of its commit, so that the caller builds its answer while the database writes. The loader
   * sends on the next turn of the event loop (setImmediate) and the pool hands it a connection on the
   * tick after: work done before then would only delay the statement.
   */
  async record(batch: BatchRecord): Promise<{ committed: Promise<void> }> {
    const committed = this.records.load(batch);
    await new Promise<void>((resolve) => setImmediate(resolve));
    return { committed };
  }

  /** One statement of the rule for one question, evaluated now. */
  private async applyAlone(question: RuleQuestion): Promise<RuleAnswer> {
    const evaluatedAt = new Date();
    const at = question.at ?? evaluatedAt;
    const parameters = [question.isrcs, question.aiPartnerId, question.use, question.territory, at];
    // Planning costs more than deciding a few works, so small batches reuse a prepared plan; a large
    // batch pays ~2 ms to get a plan fitted to its size (a generic one runs it markedly slower).
    const name = question.isrcs.length <= PREPARED_BATCH_LIMIT ? 'consent-decisions' : undefined;
    const rows = await queryOnPool<DecisionRow>(this.dataSource, DECISION_SQL, parameters, name);
    return { rows, at, evaluatedAt };
  }

  /**
   * Small questions asked together: those about the same partner, use, territory and time are answered by
   * one statement over their ISRCs put end to end (the rule answers one row per ISRC asked, in order, a
   * repeated ISRC included), then cut back into each question's rows.
   */
  private async applyShared(questions: readonly RuleQuestion[]): Promise<(RuleAnswer | Error)[]> {
    const answers: (RuleAnswer | Error)[] = new Array(questions.length);
    await Promise.all(
      sharedStatements(questions).map(async (indexes) => {
        const first = questions[indexes[0]];
        try {
          const shared = await this.applyAlone({ ...first, isrcs: indexes.flatMap((i) => questions[i].isrcs) });
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
  private async insertRecords(records: readonly BatchRecord[]): Promise<void> {
    const column = <T>(value: (record: BatchRecord) => T) => records.map(value);
    await queryOnPool(
      this.dataSource,
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
      'decision-batches-insert',
    );
  }
}
