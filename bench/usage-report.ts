import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import 'reflect-metadata';
import pino from 'pino';
import { Client } from 'pg';
import { buildDataSource } from '../ormconfig';
import { mintToken } from '../src/auth/jwt';
import { readSettings } from '../src/config';
import { createDatabaseIfMissing, migrate } from '../src/db/database';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../src/db/embedded';
import { toGlobalId } from '../src/common/relay/global-id';
import { generateReceiptKey } from '../src/decisions/receipt';
import { startGateway } from '../src/server/gateway';

/**
 * `npm run bench:usage`: one 50,000-line usage report through the real gateway over HTTP (validation,
 * the decision rule per line, rating, splitting, ledger writes), next to a baseline measured in the
 * same run: the same number of ledger rows written by one batched INSERT through `pg`. Prints the
 * figures and appends them with the command to BENCHMARKS.md.
 */
const LINES = Number(process.env.BENCH_LINES ?? 50_000);
const WORKS = 10_000;
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const USES = ['TRAINING', 'FINE_TUNING', 'STYLE_PROMPTING', 'STEM_SEPARATION', 'INFERENCE_INPUT'];
const JWT = { issuer: 'accord-bench', audience: 'accord-bench', algorithms: ['HS256' as const], secret: 'accord-bench-secret-0123456789' };

async function seed(client: Client): Promise<{ aiPartner: string; agreement: string; label: string }> {
  await client.query(`INSERT INTO partner (id, name, type) VALUES
    ('00000000-0000-4000-8000-000000000001', 'Bench Label A', 'LABEL'),
    ('00000000-0000-4000-8000-000000000002', 'Bench Label B', 'LABEL'),
    ('00000000-0000-4000-8000-000000000003', 'Bench AI', 'AI_PARTNER')`);
  const [a, b, ai] = ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000003'];
  await client.query(
    `INSERT INTO work (id, isrc, title) SELECT md5('w' || n)::uuid, 'QZBUR' || lpad(n::text, 7, '0'), 'Bench work ' || n
     FROM generate_series(1, $1) n`,
    [WORKS],
  );
  await client.query(`INSERT INTO artist (id, name) SELECT md5('a' || n)::uuid, 'Bench artist ' || n FROM generate_series(1, $1) n`, [WORKS]);
  await client.query(`INSERT INTO work_artist (work_id, artist_id, role, position) SELECT md5('w' || n)::uuid, md5('a' || n)::uuid, 'MAIN', 0 FROM generate_series(1, $1) n`, [WORKS]);
  // One work in ten is co-owned 60/40: its amounts are split in two ledger entries.
  await client.query(
    `INSERT INTO right_share (work_id, label_id, share_bps)
     SELECT md5('w' || n)::uuid, $2::uuid, CASE WHEN n % 10 = 0 THEN 6000 ELSE 10000 END FROM generate_series(1, $1) n
     UNION ALL SELECT md5('w' || n)::uuid, $3::uuid, 4000 FROM generate_series(1, $1) n WHERE n % 10 = 0`,
    [WORKS, a, b],
  );
  await client.query(
    `INSERT INTO consent_record (scope, work_id, use_types, territories, valid_from, state, granted_by_name, evidence_method, recorded_by)
     SELECT 'WORK', md5('w' || n)::uuid, $2::text[], '{WORLD}', '2020-01-01', 'GRANTED', 'Bench artist ' || n, 'SIGNED_DOCUMENT', $3::uuid
     FROM generate_series(1, $1) n`,
    [WORKS, USES, a],
  );
  const agreements: string[] = [];
  // The agreement row names its terms before they exist: the deferred foreign key wants one transaction.
  await client.query('BEGIN');
  for (const label of [a, b]) {
    const { rows } = await client.query(
      `INSERT INTO agreement (licensor_id, licensee_id, state, terms_in_force) VALUES ($1, $2, 'ACTIVE', 1) RETURNING id`,
      [label, ai],
    );
    await client.query(
      `INSERT INTO agreement_terms (agreement_id, terms_version, use_types, territories, starts_at, catalog_scope, compensation, drafted_by)
       VALUES ($1, 1, $2, '{WORLD}', '2020-01-01', 'ALL', '{"model":"PER_USE","currency":"EUR","ratePerUnit":"0.0125"}', $3)`,
      [rows[0].id, USES, label],
    );
    agreements.push(rows[0].id);
  }
  await client.query('COMMIT');
  await client.query('VACUUM ANALYZE');
  return { aiPartner: ai, agreement: agreements[0], label: a };
}

function lines(count: number) {
  return Array.from({ length: count }, (_, i) => ({
    isrc: `QZBUR${String((i % WORKS) + 1).padStart(7, '0')}`,
    useType: USES[Math.floor(i / WORKS) % USES.length],
    units: 1 + ((i * 7919) % 5000),
  }));
}

async function measure<T>(run: () => Promise<T>): Promise<{ ms: number; peakRssMb: number; result: T }> {
  global.gc?.();
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  const started = performance.now();
  const result = await run();
  const ms = performance.now() - started;
  clearInterval(sampler);
  return { ms, peakRssMb: Math.max(peak, process.memoryUsage().rss) / 2 ** 20, result };
}

const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
  let embedded: EmbeddedDatabase | undefined;
  let directory: string | undefined;
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'accord-bench-'));
    fs.chmodSync(directory, 0o777);
    embedded = await startEmbeddedPostgres(path.join(directory, 'pg'));
    adminUrl = embedded.adminUrl;
  }
  const name = `accord_bench_usage_${process.pid}`;
  await createDatabaseIfMissing(adminUrl, name);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const dataSource = buildDataSource(url.toString());
  await dataSource.initialize();
  await migrate(dataSource);
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  const { aiPartner, agreement } = await seed(client);
  const base = readSettings({ NODE_ENV: 'production' });
  const settings = { ...base, port: 0, jwt: JWT, costBudgetPerMinute: 1e12, receipt: { ...base.receipt, signingKey: generateReceiptKey() } };
  const gateway = await startGateway({ dataSource, settings, logger: pino({ level: 'silent' }) });
  const token = mintToken(JWT, aiPartner, 3600);
  const reportLines = lines(LINES);

  const gatewayRuns: { ms: number; peakRssMb: number; entries: number }[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    const body = JSON.stringify({
      query: 'mutation($input: SubmitUsageReportInput!) { submitUsageReport(input: $input) { id lineCount violationCount total { amount } } }',
      variables: {
        input: {
          agreementId: toGlobalId('Agreement', agreement),
          periodStart: `2026-0${run + 1}-01T00:00:00Z`,
          periodEnd: `2026-0${run + 1}-28T00:00:00Z`,
          territory: 'FR',
          idempotencyKey: `bench-${run}`,
          lines: reportLines,
        },
      },
    });
    const measured = await measure(async () => {
      const response = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
      const json = (await response.json()) as { errors?: { message: string }[] };
      if (json.errors) throw new Error(json.errors[0].message);
    });
    const { rows } = await client.query(`SELECT count(*)::int AS n FROM ledger_entry WHERE statement_period = $1`, [`2026-0${run + 1}`]);
    gatewayRuns.push({ ms: measured.ms, peakRssMb: measured.peakRssMb, entries: rows[0].n });
  }

  const entries = gatewayRuns[0].entries;
  const baselineRuns: { ms: number; peakRssMb: number }[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    const { rows: sample } = await client.query(`SELECT report_id, agreement_id, ai_partner_id, rightsholder_id, work_id, use_type FROM ledger_entry LIMIT 1`);
    const row = sample[0];
    baselineRuns.push(
      await measure(() =>
        client.query(
          `INSERT INTO ledger_entry (report_id, agreement_id, ai_partner_id, rightsholder_id, work_id, use_type, kind, statement_period, currency, units, amount_minor)
           SELECT $1, $2, $3, $4, $5, $6, 'USAGE', '2027-01', 'EUR', u, a FROM unnest($7::bigint[], $8::bigint[]) AS t(u, a)`,
          [row.report_id, row.agreement_id, row.ai_partner_id, row.rightsholder_id, row.work_id, row.use_type,
            Array.from({ length: entries }, (_, i) => i), Array.from({ length: entries }, (_, i) => i * 3)],
        ),
      ),
    );
  }

  const gatewayMs = median(gatewayRuns.map((r) => r.ms));
  const baselineMs = median(baselineRuns.map((r) => r.ms));
  const report = [
    `## Usage reports`,
    '',
    `\`npm run bench:usage\` (${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} cores, Node ${process.version}, ${embedded ? 'embedded PostgreSQL' : 'DATABASE_URL'}; median of ${RUNS} runs):`,
    '',
    '| what | time (ms) | peak RSS of the process (MB) | ledger rows |',
    '|---|---|---|---|',
    `| submitUsageReport, ${LINES} lines over HTTP (gateway in this process) | ${gatewayMs.toFixed(0)} | ${median(gatewayRuns.map((r) => r.peakRssMb)).toFixed(0)} | ${entries} |`,
    `| baseline: one batched \`pg\` INSERT of the same number of ledger rows | ${baselineMs.toFixed(0)} | ${median(baselineRuns.map((r) => r.peakRssMb)).toFixed(0)} | ${entries} |`,
    '',
    `Ratio: ${(gatewayMs / baselineMs).toFixed(1)}× the bare insert, for parsing and validating ${LINES} GraphQL input objects, deciding every line under the rule, rating, splitting and writing the lines, the ledger and the events.`,
    '',
  ].join('\n');
  process.stdout.write(`${report}\n`);
  appendSection('BENCHMARKS.md', '## Usage reports', report);

  await gateway.close();
  await client.end();
  await dataSource.destroy();
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
  await embedded?.stop();
  if (directory) fs.rmSync(directory, { recursive: true, force: true });
}

/** Replaces the section under `heading` (up to the next "## ") in the file, or appends it. */
function appendSection(file: string, heading: string, section: string): void {
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n\n';
  const start = current.indexOf(heading);
  if (start < 0) {
    fs.writeFileSync(file, `${current.trimEnd()}\n\n${section}`);
    return;
  }
  const next = current.indexOf('\n## ', start + heading.length);
  fs.writeFileSync(file, `${current.slice(0, start)}${section}${next < 0 ? '' : current.slice(next + 1)}`);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
