import type { Viewer } from '../../src/auth/viewer';
import { fromGlobalId } from '../../src/common/relay/global-id';
import { UseType } from '../../src/common/use-type';
import { QueryCounter } from '../../src/db/query-counter';
import type { DecisionQuestion } from '../../src/decisions/decisions.service';
import type { ConsentDecisionBatch } from '../../src/decisions/decisions.types';
import { generateReceiptKey, ReceiptSigner } from '../../src/decisions/receipt';
import { createServices, type Services } from '../../src/server/services';
import { insertAgreement } from '../support/agreements-fixtures';
import { insertBulkWorks } from '../support/catalog-fixtures';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedDemoPartners, type Demo } from '../support/demo';

/**
 * Concurrent requests share their statements (viewer, rule, batch record): what each one is answered
 * must be exactly what it would be answered alone, and every batch is still recorded as its own.
 */
let db: TestDatabase;
let demo: Demo;
let services: Services;
const isrc = (n: number) => `QZSHR26${String(n).padStart(5, '0')}`;

beforeAll(async () => {
  db = await createTestDatabase();
  demo = await seedDemoPartners(db.dataSource);
  services = createServices(db.dataSource, new ReceiptSigner({ signingKey: generateReceiptKey() }), 'accord-test');
  // 40 works of Aurora's, one MAIN artist each; every third granted for TRAINING since 2024.
  await insertBulkWorks(db.dataSource, { registrant: 'SHR', count: 40, label: demo.aurora.id, grantEvery: 3, grantedFrom: '2024-01-01' });
  await insertAgreement(db.dataSource, { licensor: demo.aurora.id, licensee: demo.resonance.id, startsAt: new Date('2020-01-01') });
});
afterAll(() => db.drop());

async function viewerOf(partnerId: string): Promise<Viewer> {
  return (await services.partners.loadViewer(partnerId))!;
}

/** What a batch answers, without what differs from one asking to the next (its id, time, receipt). */
function answers(batch: ConsentDecisionBatch) {
  return { aiPartner: batch.aiPartner, use: batch.use, at: batch.at, digest: batch.digest, decisions: batch.decisions };
}

/** A batch once its record has committed, as a request answers it. */
async function decided(viewer: Viewer, question: DecisionQuestion): Promise<ConsentDecisionBatch> {
  const { batch, recorded } = await services.decisions.decide(viewer, question);
  await recorded;
  return batch;
}

describe('concurrent decision requests', () => {
  it('share one rule statement per partner, use, territory and time, and one record statement, and answer each as if alone', async () => {
    const resonance = await viewerOf(demo.resonance.id);
    const cadence = await viewerOf(demo.cadence.id);
    const past = new Date('2023-06-01T00:00:00Z');
    // 30 questions in three groups, of 1 to 4 ISRCs, overlapping, some unknown.
    const asked = Array.from({ length: 30 }, (_, i) => {
      const isrcs = Array.from({ length: 1 + (i % 4) }, (_, k) => isrc(1 + ((i * 3 + k * 7) % 45)));
      const question: DecisionQuestion = { isrcs, use: UseType.TRAINING, territory: 'FR', at: i % 3 === 2 ? past : null };
      return { viewer: i % 3 === 1 ? cadence : resonance, question };
    });

    QueryCounter.reset();
    const together = await Promise.all(asked.map(({ viewer, question }) => decided(viewer, question)));
    expect(QueryCounter.statements).toBe(3 + 1);

    const alone: ConsentDecisionBatch[] = [];
    for (const { viewer, question } of asked) alone.push(await decided(viewer, question));
    expect(together.map(answers).map((a, i) => (asked[i].question.at ? a : { ...a, at: undefined }))).toEqual(
      alone.map(answers).map((a, i) => (asked[i].question.at ? a : { ...a, at: undefined })),
    );
    // The mix is not trivial: both answers occur, with different reasons.
    const reasons = new Set(together.flatMap((b) => b.decisions.map((d) => d.reasons.join('+'))));
    expect(reasons).toEqual(new Set(['', 'NO_CONSENT', 'UNKNOWN_WORK', 'NO_AGREEMENT', 'NO_AGREEMENT+NO_CONSENT']));

    const ids = together.map((b) => fromGlobalId(b.decisionId).id);
    expect(new Set(ids).size).toBe(30);
    const rows = (await db.dataSource.query(
      `SELECT id, ai_partner_id, work_count, digest, allowed_isrcs FROM decision_batch WHERE id = ANY($1::uuid[])`,
      [ids],
    )) as { id: string; ai_partner_id: string; work_count: number; digest: string; allowed_isrcs: string[] }[];
    const recorded = new Map(rows.map((row) => [row.id, row]));
    together.forEach((batch, i) => {
      expect(recorded.get(ids[i])).toEqual({
        id: ids[i],
        ai_partner_id: asked[i].viewer.partnerId,
        work_count: asked[i].question.isrcs.length,
        digest: batch.digest,
        allowed_isrcs: batch.decisions.filter((d) => d.decision === 'ALLOW').map((d) => d.isrc),
      });
    });
  });

  it('read their viewers in one statement, each its own, an unknown partner as none', async () => {
    const ids = [demo.aurora.id, demo.tidewater.id, demo.resonance.id, '00000000-0000-4000-8000-000000000000', demo.aurora.id];
    QueryCounter.reset();
    const together = await Promise.all(ids.map((id) => services.partners.loadViewer(id)));
    expect(QueryCounter.statements).toBe(1);
    const alone = [];
    for (const id of ids) alone.push(await services.partners.loadViewer(id));
    expect(together).toEqual(alone);
    expect(together.map((v) => v?.name)).toEqual(['Aurora Records', 'Tidewater Distribution', 'Resonance AI', undefined, 'Aurora Records']);
    expect(together[1]!.mandates).toEqual([
      { labelId: demo.aurora.id, permissions: expect.arrayContaining(['READ_CATALOG', 'MANAGE_CONSENT', 'NEGOTIATE']) },
    ]);
  });
});
