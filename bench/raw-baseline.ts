import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'pg';
import { DECISION_SQL, LICENSED_WORKS_SQL, PREPARED_BATCH_LIMIT } from '../src/decisions/decision-rule';

/**
 * The floor the gateway is compared with: the facts fetched by one hand-written SQL statement (the
 * engine's own) through `pg`, behind a plain `node:http` endpoint, returned as JSON. No GraphQL, no
 * authentication, no receipt, no batch record.
 *
 * POST /          {"partner": uuid, "isrcs": [...], "use": "TRAINING", "territory": "FR"}  → {"decisions": rows}
 * POST /licensed  {"partner": uuid, "use": "TRAINING", "territory": "FR", "after": isrc|"", "first": n}
 *                 → {"isrcs": [...], "hasNextPage": bool} (a page of the licensed-works manifest)
 */
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });

async function decisions(question: { isrcs: string[]; partner: string; use: string; territory: string }): Promise<unknown> {
  const values = [question.isrcs, question.partner, question.use, question.territory, new Date()];
  // As the gateway does: small batches on a prepared plan, large ones planned for their size.
  const { rows } = await pool.query(
    question.isrcs.length <= PREPARED_BATCH_LIMIT ? { name: 'consent-decisions', text: DECISION_SQL, values } : { text: DECISION_SQL, values },
  );
  return { decisions: rows };
}

async function licensed(question: { partner: string; use: string; territory: string; after: string; first: number }): Promise<unknown> {
  const values = [question.after, question.partner, question.use, question.territory, new Date(), question.first + 1];
  const { rows } = await pool.query<{ isrc: string }>(LICENSED_WORKS_SQL, values);
  return { isrcs: rows.slice(0, question.first).map((row) => row.isrc), hasNextPage: rows.length > question.first };
}

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', async () => {
    try {
      const question = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const answer = req.url === '/licensed' ? await licensed(question) : await decisions(question);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer));
    } catch (error) {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    }
  });
});

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});
