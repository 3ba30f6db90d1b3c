import { createHash, randomUUID } from 'node:crypto';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { Pool } from 'pg';
import { coalescingLoader } from '../src/db/coalescing-loader';
import { DECISION_SQL, type DecisionRow } from '../src/decisions/decision-rule';
import { generateReceiptKey, ReceiptSigner } from '../src/decisions/receipt';

/**
 * The least a single-ISRC decision can cost on Apollo Server, to read the gateway's throughput against:
 * Apollo as the gateway runs it (cache control and landing page off, NODE_ENV=production), a schema
 * with consentDecisions' types, so that the bench's own query document is answered, and nothing the
 * gateway does besides (no authentication, partner row, policy, limits, cost, batch record or Relay ids).
 *
 * FLOOR=constant  one fixed decision per ISRC: the price of the answer's shape alone.
 * FLOOR=decision  the rule's statement, shared by concurrent requests as the gateway shares it
 *                 (coalescingLoader), for PARTNER_ID at DATABASE_URL, and the ES256 receipt.
 */
const typeDefs = `
  scalar ISRC
  scalar Territory
  scalar DateTime
  enum UseType { TRAINING FINE_TUNING VOICE_MODEL STYLE_PROMPTING STEM_SEPARATION FAN_REMIX INFERENCE_INPUT }
  enum Decision { ALLOW DENY }
  enum DecisionReason { UNKNOWN_WORK NO_AGREEMENT AGREEMENT_SUSPENDED OUTSIDE_TERM TERRITORY_EXCLUDED NO_CONSENT CONSENT_REFUSED CONSENT_WITHDRAWN }
  type ConsentDecision {
    isrc: ISRC! decision: Decision! reasons: [DecisionReason!]!
    rightsholdersWithoutAgreement: [ID!]! agreements: [ID!]! consentRecords: [ID!]!
  }
  type ConsentDecisionBatch {
    decisionId: ID! aiPartner: ID! use: UseType! territory: Territory! at: DateTime! evaluatedAt: DateTime!
    digest: String! receipt: String! decisions: [ConsentDecision!]!
  }
  type Query { consentDecisions(isrcs: [ISRC!]!, use: UseType!, territory: Territory!, at: DateTime, aiPartner: ID): ConsentDecisionBatch! }
`;

interface Question {
  isrcs: string[];
  use: string;
  territory: string;
}

const split = (text: string) => (text === '' ? [] : text.split(','));

function main(): Promise<void> {
  const mode = process.env.FLOOR;
  if (mode !== 'constant' && mode !== 'decision') throw new Error('set FLOOR=constant or FLOOR=decision');
  const partnerId = process.env.PARTNER_ID ?? '';
  const pool = mode === 'decision' ? new Pool({ connectionString: process.env.DATABASE_URL, max: 10 }) : undefined;
  const signer = new ReceiptSigner({ signingKey: generateReceiptKey() });
  // Questions asked in one turn of the event loop share a statement, cut back per question as the gateway does.
  const rule = coalescingLoader<Question, DecisionRow[]>(async (questions) => {
    const { rows } = await pool!.query<DecisionRow>({
      name: 'consent-decisions',
      text: DECISION_SQL,
      values: [questions.flatMap((q) => q.isrcs), partnerId, questions[0].use, questions[0].territory, new Date()],
    });
    let offset = 0;
    return questions.map((q) => rows.slice(offset, (offset += q.isrcs.length)));
  });

  const decide = async (question: Question) => {
    const rows: DecisionRow[] =
      mode === 'decision'
        ? await rule.load(question)
        : question.isrcs.map((isrc) => ({ isrc, reasons: 'NO_CONSENT', unlicensed: '', agreements: '', records: '' }));
    const evaluatedAt = new Date();
    const decisionId = randomUUID();
    const digest = createHash('sha256')
      .update(rows.map((row) => `${row.isrc}|${row.reasons === '' ? 'ALLOW' : 'DENY'}|${row.reasons}`).join('\n'))
      .digest('base64url');
    const receipt =
      mode === 'decision'
        ? signer.sign({
            iss: 'accord-floor',
            iat: Math.floor(evaluatedAt.getTime() / 1000),
            decisionId,
            partner: partnerId,
            use: question.use,
            territory: question.territory,
            at: evaluatedAt.toISOString(),
            evaluatedAt: evaluatedAt.toISOString(),
            count: rows.length,
            digest,
          })
        : '';
    return {
      decisionId,
      aiPartner: partnerId,
      use: question.use,
      territory: question.territory,
      at: evaluatedAt.toISOString(),
      evaluatedAt: evaluatedAt.toISOString(),
      digest,
      receipt,
      decisions: rows.map((row) => ({
        isrc: row.isrc,
        decision: row.reasons === '' ? 'ALLOW' : 'DENY',
        reasons: split(row.reasons),
        rightsholdersWithoutAgreement: split(row.unlicensed),
        agreements: split(row.agreements),
        consentRecords: split(row.records),
      })),
    };
  };

  const server = new ApolloServer({
    typeDefs,
    resolvers: { Query: { consentDecisions: (_: unknown, question: Question) => decide(question) } },
    plugins: [ApolloServerPluginCacheControlDisabled(), ApolloServerPluginLandingPageDisabled()],
  });
  return startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } }).then(({ url }) => {
    process.stdout.write(`listening ${new URL(url).port}\n`);
  });
}

main().catch((error) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
