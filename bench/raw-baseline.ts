import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'pg';
import { DECISION_SQL } from '../src/decisions/decision-rule';

/**
 * The floor the gateway is compared with: the decision facts for a batch fetched by one hand-written
 * SQL statement (the engine's own) through `pg`, behind a plain `node:http` endpoint, returned as JSON.
 * No GraphQL, no authentication, no receipt, no batch record.
 *
 * POST / {"partner": uuid, "isrcs": [...], "use": "TRAINING", "territory": "FR"}
 */
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', async () => {
    try {
      const question = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const { rows } = await pool.query(DECISION_SQL, [question.isrcs, question.partner, question.use, question.territory, new Date()]);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ decisions: rows }));
    } catch (error) {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    }
  });
});

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});
