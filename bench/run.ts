import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { mintToken } from '../src/auth/jwt';
import { buildDataSource } from '../ormconfig';
import { createDatabaseIfMissing, migrate } from '../src/db/database';
import { startEmbeddedPostgres } from '../src/db/embedded';
import { generateReceiptKey } from '../src/decisions/receipt';
import { benchIsrc, CATALOG_VERSION, generateCatalog } from './catalog';
import { measureLatencies, measureThroughput, percentile, post, type Latency, type Target, type Throughput } from './load';

/**
 * `npm run bench [-- --million] [-- --profile]`: consentDecisions over HTTP against a production-mode
 * gateway, next to baselines measured in the same run (raw SQL behind node:http, bare Apollo), on a
 * generated 100,000-work catalog (and a 1,000,000-work one with --million). Writes the figures, with
 * the command, under "Consent decisions" in BENCHMARKS.md. Everything listens on 127.0.0.1 only, and
 * every loop is bounded by a count or a duration.
 */
const ROOT = path.resolve(__dirname, '../..');
const DATA_DIR = path.join(ROOT, '.data-bench');
const args = new Set(process.argv.slice(2));
const MILLION = args.has('--million');
const PROFILE = args.has('--profile');
const JWT = { issuer: 'accord-bench', audience: 'accord-bench-gateway', secret: 'accord-bench-secret-that-is-long-enough' };
const CLIENTS = 32;
const SHARED_BUFFERS = '2GB';
const MANIFEST_PAGE = 1000;
const MANIFEST_WALKS = 3;

const log = (line: string) => process.stdout.write(`${line}\n`);

function uuidOf(seed: string): string {
  const hex = createHash('md5').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
const PARTNER_ID = uuidOf('bench-ai-1');

async function adminUrl(): Promise<{ url: string; stop(): Promise<void> }> {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, stop: async () => {} };
  fs.mkdirSync(DATA_DIR, { recursive: true, mode: 0o777 });
  // Under root the embedded server runs as a `postgres` user, which must be able to write here.
  fs.chmodSync(DATA_DIR, 0o777);
  // PostgreSQL's default 128 MB of shared buffers holds the 100,000-work catalog but not the million: a
  // server sized for its data, as one would run it, keeps both in memory (the machine has 24 GiB).
  const server = await startEmbeddedPostgres(path.join(DATA_DIR, 'pg'), 0, [`shared_buffers=${SHARED_BUFFERS}`]);
  return { url: server.adminUrl, stop: () => server.stop() };
}

function databaseUrl(admin: string, name: string): string {
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A migrated database holding the catalog of this size, generated once and kept for later runs. */
async function catalogDatabase(admin: string, works: number): Promise<string> {
  const name = `accord_bench_${works}`;
  const url = databaseUrl(admin, name);
  await createDatabaseIfMissing(admin, name);
  const dataSource = buildDataSource(url);
  await dataSource.initialize();
  await migrate(dataSource);
  await dataSource.destroy();
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('CREATE TABLE IF NOT EXISTS bench_catalog (version int NOT NULL, works int NOT NULL)');
    const { rows } = await client.query('SELECT version, works FROM bench_catalog');
    if (rows[0]?.version === CATALOG_VERSION && rows[0]?.works === works) return url;
    if (rows.length) throw new Error(`${name} holds another catalog version: drop it (DROP DATABASE ${name}) and run again`);
    log(`generating ${works.toLocaleString('en')} works into ${name}`);
    await generateCatalog(client, works, log);
    await client.query('INSERT INTO bench_catalog (version, works) VALUES ($1, $2)', [CATALOG_VERSION, works]);
  } finally {
    await client.end();
  }
  return url;
}

/** The tables the decision rule and the partner lookup read. */
const RULE_TABLES = ['work', 'right_share', 'work_artist', 'consent_record', 'agreement', 'agreement_terms', 'agreement_work', 'partner'];

/**
 * Reads the rule's tables and their indexes into PostgreSQL's buffers (pg_prewarm), so that both
 * catalogs are measured as a server that has been answering for a while holds them, not while the
 * million-work catalog's pages are read in one by one (each request asks for 1,000 works no earlier
 * request asked for). With the bench's 2 GB of buffers the warmup rounds already read most of them: it
 * changed the 1M/100k ratio little here, and keeps it a comparison of catalog sizes elsewhere.
 */
async function prewarm(url: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS pg_prewarm');
    await client.query(
      `SELECT pg_prewarm(r.oid) FROM (
         SELECT t.oid FROM pg_class t WHERE t.relnamespace = 'public'::regnamespace AND t.relname = ANY($1)
         UNION
         SELECT i.indexrelid FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
         WHERE t.relnamespace = 'public'::regnamespace AND t.relname = ANY($1)) r`,
      [RULE_TABLES],
    );
  } catch (error) {
    // A server at DATABASE_URL may not offer the extension: the measurements' warmups then read what they can.
    log(`pg_prewarm unavailable (${(error as Error).message}): measuring with the pages the warmups read`);
  } finally {
    await client.end();
  }
}

/** Starts a node process and resolves with the port it announces on stdout. */
function startProcess(script: string, env: Record<string, string>, nodeArgs: string[] = []): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, [...nodeArgs, script], {
    env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /(?:listening |Accord gateway: http:\/\/127\.0\.0\.1:)(\d+)/.exec(output);
      if (match) resolve({ port: Number(match[1]), child });
    });
    child.on('exit', (code) => reject(new Error(`${script} exited with ${code}: ${output}`)));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

const DECIDE = `query($isrcs: [ISRC!]!, $use: UseType!, $territory: Territory!) {
  consentDecisions(isrcs: $isrcs, use: $use, territory: $territory) {
    decisionId aiPartner use territory at evaluatedAt digest receipt
    decisions { isrc decision reasons rightsholdersWithoutAgreement agreements consentRecords }
  }
}`;

/** Request i asks n works spread over the whole catalog, shifted a little from one request to the next. */
function batch(works: number, n: number, i: number): string[] {
  const stride = Math.floor(works / n);
  return Array.from({ length: n }, (_, k) => benchIsrc(1 + ((k * stride + i * 7) % works)));
}

function gatewayBody(works: number, n: number) {
  return (i: number) => JSON.stringify({ query: DECIDE, variables: { isrcs: batch(works, n, i), use: 'TRAINING', territory: 'FR' } });
}

function rawBody(works: number, n: number) {
  return (i: number) => JSON.stringify({ partner: PARTNER_ID, isrcs: batch(works, n, i), use: 'TRAINING', territory: 'FR' });
}

/** Checks every answer; counts the ALLOW/DENY mix of the first one when asked to. */
function checkGateway(n: number, mix?: { allow: number; deny: number }) {
  return (response: string) => {
    const body = JSON.parse(response);
    if (body.errors || body.data.consentDecisions.decisions.length !== n) throw new Error(`bad answer: ${response.slice(0, 300)}`);
    if (mix && mix.allow + mix.deny === 0) {
      for (const d of body.data.consentDecisions.decisions) mix[d.decision === 'ALLOW' ? 'allow' : 'deny'] += 1;
    }
  };
}

function checkRaw(n: number) {
  return (response: string) => {
    if (JSON.parse(response).decisions.length !== n) throw new Error(`bad raw answer: ${response.slice(0, 300)}`);
  };
}

const MANIFEST = `query($use: UseType!, $territory: Territory!, $after: String) {
  licensedWorks(use: $use, territory: $territory, first: ${MANIFEST_PAGE}, after: $after) {
    edges { node { isrc } }
    pageInfo { hasNextPage endCursor }
  }
}`;

/** One page of a manifest after a cursor (null: the first page); `next` is null after the last page. */
type ManifestPage = (after: string | null) => Promise<{ isrcs: string[]; next: string | null }>;

interface Walk {
  /** Milliseconds per page, sorted. */
  pages: number[];
  /** The pages' times added up (the other side's turns not included). */
  totalMs: number;
  isrcs: string[];
}

/**
 * Fetches whole licensed-works manifests a page at a time, as a training pipeline would, one per fetcher
 * and side by side: page k of every manifest before page k + 1 of any, so that the sides compared see the
 * same machine (as measureLatencies does for single requests).
 */
async function walkManifests(fetchers: ManifestPage[]): Promise<Walk[]> {
  const walks: Walk[] = fetchers.map(() => ({ pages: [], totalMs: 0, isrcs: [] }));
  const after: (string | null)[] = fetchers.map(() => null);
  const done = fetchers.map(() => false);
  while (done.includes(false)) {
    for (const [i, fetchPage] of fetchers.entries()) {
      if (done[i]) continue;
      const started = process.hrtime.bigint();
      const page = await fetchPage(after[i]);
      const pageMs = Number(process.hrtime.bigint() - started) / 1e6;
      walks[i].pages.push(pageMs);
      walks[i].totalMs += pageMs;
      walks[i].isrcs.push(...page.isrcs);
      after[i] = page.next;
      done[i] = page.next === null;
    }
  }
  for (const walk of walks) walk.pages.sort((a, b) => a - b);
  return walks;
}

function gatewayManifestPage(target: Target): ManifestPage {
  return async (after) => {
    const body = JSON.parse(await post(target, JSON.stringify({ query: MANIFEST, variables: { use: 'TRAINING', territory: 'FR', after } })));
    if (body.errors) throw new Error(`bad manifest page: ${JSON.stringify(body.errors).slice(0, 300)}`);
    const { edges, pageInfo } = body.data.licensedWorks;
    return { isrcs: edges.map((edge: { node: { isrc: string } }) => edge.node.isrc), next: pageInfo.hasNextPage ? pageInfo.endCursor : null };
  };
}

function rawManifestPage(target: Target): ManifestPage {
  return async (after) => {
    const page = JSON.parse(
      await post(target, JSON.stringify({ partner: PARTNER_ID, use: 'TRAINING', territory: 'FR', after: after ?? '', first: MANIFEST_PAGE })),
    ) as { isrcs: string[]; hasNextPage: boolean };
    return { isrcs: page.isrcs, next: page.hasNextPage ? page.isrcs[page.isrcs.length - 1] : null };
  };
}

/** For each fetcher, the walk with the median total time of `runs` side-by-side walks, after one unmeasured. */
async function medianWalks(fetchers: ManifestPage[], runs: number): Promise<Walk[]> {
  await walkManifests(fetchers);
  const rounds: Walk[][] = [];
  for (let i = 0; i < runs; i += 1) rounds.push(await walkManifests(fetchers));
  return fetchers.map((_, f) => rounds.map((round) => round[f]).sort((a, b) => a.totalMs - b.totalMs)[Math.floor(runs / 2)]);
}

const SAMPLES: Record<number, [number, number]> = { 1: [30, 300], 1000: [10, 100], 10000: [5, 40] };

/**
 * Unmeasured rounds before the 1M/100k comparison. A gateway just started on the million-work catalog
 * answered its first ~100 batches 1.4× slower than the next ones, new ISRCs included and with the
 * catalog already in PostgreSQL's buffers: its new connections' first touch of each buffer page is what
 * costs (page faults, dear on this machine's sandboxed kernel), while the 100,000-work gateway's
 * connections touched theirs in the earlier measurements. 150 rounds of 1,000 ISRCs reach most pages of
 * the million-work indexes, so both are measured as long-running servers.
 */
const CATALOG_WARMUP = 150;

interface Row {
  measurement: string;
  accord: string;
  baseline: string;
  ratio: number;
  target: string;
  met: boolean;
}

/** The serving process's CPU per request, when known: where the time goes, next to how long it took. */
const cpu = (cpuMs: number | undefined) => (cpuMs === undefined ? '' : `; CPU ${cpuMs < 1 ? cpuMs.toFixed(2) : cpuMs.toFixed(1)} ms/request`);
const ms = (latency: Latency) => `${latency.median.toFixed(1)} / ${latency.p99.toFixed(1)} ms${cpu(latency.cpuMs)}`;
const rps = (throughput: Throughput) => `${throughput.perSecond.toFixed(0)} req/s${cpu(throughput.cpuMs)}`;

async function main(): Promise<void> {
  const started = Date.now();
  // The machine may be shared: the load when the run starts says how much of it was ours.
  const loadAtStart = os.loadavg()[0];
  const database = await adminUrl();
  const children: ChildProcess[] = [];
  try {
    const catalog100k = await catalogDatabase(database.url, 100_000);
    const catalog1m = MILLION ? await catalogDatabase(database.url, 1_000_000) : undefined;

    const gatewayEnv = (url: string) => ({
      DATABASE_URL: url,
      JWT_SECRET: JWT.secret,
      JWT_ISSUER: JWT.issuer,
      JWT_AUDIENCE: JWT.audience,
      RECEIPT_SIGNING_KEY: generateReceiptKey(),
      // One partner here asks far more than a partner's default budget per minute: the bench measures the
      // gateway, not the budget (whose cost, a lease statement now and then, stays in the measurement).
      COST_BUDGET_PER_MINUTE: String(1e9),
    });
    // The gateway runs with the flags `npm start` and the Docker image use.
    const gatewayArgs = ['--max-semi-space-size=64', ...(PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${path.join(DATA_DIR, 'profiles')}`] : [])];
    const token = mintToken({ ...JWT, algorithms: ['HS256'] }, PARTNER_ID, 3600);
    const auth = { authorization: `Bearer ${token}` };

    await prewarm(catalog100k);
    const gateway = await startProcess(path.join(ROOT, 'dist/src/main.js'), gatewayEnv(catalog100k), gatewayArgs);
    children.push(gateway.child);
    const raw = await startProcess(path.join(ROOT, 'dist/bench/raw-baseline.js'), { DATABASE_URL: catalog100k });
    children.push(raw.child);
    const bare = await startProcess(path.join(ROOT, 'dist/bench/bare-apollo.js'), {});
    children.push(bare.child);
    const floors: { answered: string; target: Target }[] = [];
    for (const [floor, answered] of [
      ['constant', 'a constant answer of the same query (no database, signature or authentication)'],
      ['decision', "the same query answered by the rule's shared statement and signed (no authentication, policy, limits or batch record)"],
    ]) {
      const started = await startProcess(path.join(ROOT, 'dist/bench/apollo-floor.js'), { FLOOR: floor, DATABASE_URL: catalog100k, PARTNER_ID });
      children.push(started.child);
      floors.push({ answered, target: { port: started.port, path: '/', headers: {}, pid: started.child.pid } });
    }
    const accordTarget: Target = { port: gateway.port, path: '/graphql', headers: auth, pid: gateway.child.pid };
    const rawTarget: Target = { port: raw.port, path: '/', headers: {}, pid: raw.child.pid };
    const bareTarget: Target = { port: bare.port, path: '/', headers: {}, pid: bare.child.pid };

    const rows: Row[] = [];
    const mix = { allow: 0, deny: 0 };
    for (const n of [1, 1000, 10000]) {
      const [warmup, samples] = SAMPLES[n];
      log(`consentDecisions, ${n} ISRC(s): ${samples} requests each, the gateway and the raw baseline in turn`);
      const [accord, floor] = await measureLatencies(
        [
          { target: accordTarget, bodies: gatewayBody(100_000, n), check: checkGateway(n, n === 10000 ? mix : undefined) },
          { target: rawTarget, bodies: rawBody(100_000, n), check: checkRaw(n) },
        ],
        warmup,
        samples,
      );
      const ratio = accord.median / floor.median;
      const target = n === 10000 ? 2 : n === 1000 ? 1.3 : undefined;
      rows.push({
        measurement: `${n.toLocaleString('en')} ISRC${n > 1 ? 's' : ''}: median / p99 latency (${samples} requests)`,
        accord: ms(accord),
        baseline: `raw SQL over node:http: ${ms(floor)}`,
        ratio,
        target: target ? `≤ ${target}×` : '—',
        met: target ? ratio <= target : true,
      });
    }

    log(`throughput: single-ISRC decisions vs bare Apollo { __typename } and raw SQL, ${CLIENTS} clients, 5 s each`);
    const single = (i: number) =>
      JSON.stringify({ query: DECIDE, variables: { isrcs: [benchIsrc(1 + ((i * 7919) % 100_000))], use: 'TRAINING', territory: 'FR' } });
    const accordSingle = await measureThroughput(accordTarget, single, CLIENTS, 1, 5);
    const bareTypename = await measureThroughput(bareTarget, () => '{"query":"{ __typename }"}', CLIENTS, 1, 5);
    // Not targets either: what the same request costs on Apollo with nothing of the gateway around it.
    const floorThroughputs: Throughput[] = [];
    for (const { target } of floors) floorThroughputs.push(await measureThroughput(target, single, CLIENTS, 1, 5));
    // Not targets: how many single-ISRC decisions the database answers with nothing in front of it, and
    // what the gateway's own path (authentication, the partner row, limits, cost) allows with no work behind it.
    const rawSingle = await measureThroughput(rawTarget, rawBody(100_000, 1), CLIENTS, 1, 5);
    const gatewayTypename = await measureThroughput(accordTarget, () => '{"query":"{ __typename }"}', CLIENTS, 1, 5);
    rows.push({
      measurement: `single-ISRC decisions, ${CLIENTS} concurrent clients: requests/s`,
      accord: rps(accordSingle),
      baseline: `bare Apollo \`{ __typename }\`: ${rps(bareTypename)}`,
      ratio: accordSingle.perSecond / bareTypename.perSecond,
      target: '≥ 0.6×',
      met: accordSingle.perSecond / bareTypename.perSecond >= 0.6,
    });
    floors.forEach(({ answered }, f) =>
      rows.push({
        measurement: `for reference: the floor on Apollo, ${answered}, ${CLIENTS} clients`,
        accord: rps(floorThroughputs[f]),
        baseline: `bare Apollo \`{ __typename }\`: ${rps(bareTypename)}`,
        ratio: floorThroughputs[f].perSecond / bareTypename.perSecond,
        target: '—',
        met: true,
      }),
    );
    rows.push({
      measurement: `for reference: single-ISRC decisions by the raw SQL baseline, ${CLIENTS} clients`,
      accord: rps(accordSingle),
      baseline: `raw SQL over node:http: ${rps(rawSingle)}`,
      ratio: accordSingle.perSecond / rawSingle.perSecond,
      target: '—',
      met: true,
    });
    rows.push({
      measurement: `for reference: \`{ __typename }\` through the gateway (authenticated), ${CLIENTS} clients`,
      accord: rps(gatewayTypename),
      baseline: `bare Apollo \`{ __typename }\`: ${rps(bareTypename)}`,
      ratio: gatewayTypename.perSecond / bareTypename.perSecond,
      target: '—',
      met: true,
    });

    log(`licensed-works manifest: ${MANIFEST_WALKS} whole walks in pages of ${MANIFEST_PAGE}, through the gateway and the raw baseline in turn`);
    const [manifest, rawManifest] = await medianWalks(
      [gatewayManifestPage(accordTarget), rawManifestPage({ ...rawTarget, path: '/licensed' })],
      MANIFEST_WALKS,
    );
    if (manifest.isrcs.join() !== rawManifest.isrcs.join()) throw new Error('the gateway and the raw baseline list different manifests');

    if (catalog1m) {
      await prewarm(catalog1m);
      const big = await startProcess(path.join(ROOT, 'dist/src/main.js'), gatewayEnv(catalog1m), gatewayArgs);
      children.push(big.child);
      log('consentDecisions, 1,000 ISRCs: a gateway on the 1,000,000-work catalog and one on the 100,000-work catalog in turn');
      const [, samples] = SAMPLES[1000];
      const [onMillion, onHundredThousand] = await measureLatencies(
        [
          { target: { ...accordTarget, port: big.port, pid: big.child.pid }, bodies: gatewayBody(1_000_000, 1000), check: checkGateway(1000) },
          { target: accordTarget, bodies: gatewayBody(100_000, 1000), check: checkGateway(1000) },
        ],
        CATALOG_WARMUP,
        samples,
      );
      const ratio = onMillion.median / onHundredThousand.median;
      rows.push({
        measurement: `1,000 ISRCs on 1,000,000 works vs on 100,000: median / p99 (${samples} requests each, after ${CATALOG_WARMUP} unmeasured)`,
        accord: ms(onMillion),
        baseline: `same on 100,000 works: ${ms(onHundredThousand)}`,
        ratio,
        target: '≤ 1.3×',
        met: ratio <= 1.3,
      });
    }

    const command = `npm run bench${MILLION || PROFILE ? ` -- ${[...args].join(' ')}` : ''}`;
    const seconds = (Date.now() - started) / 1000;
    const section = render(rows, command, mix, seconds, loadAtStart);
    const manifestSection = renderManifest(manifest, rawManifest, command, seconds, loadAtStart);
    process.stdout.write(`\n${section}\n\n${manifestSection}\n`);
    writeSection('## Consent decisions', section);
    writeSection('## Licensed-works manifests', manifestSection);
  } finally {
    for (const child of children) await stop(child);
    await database.stop();
  }
}

function render(rows: Row[], command: string, mix: { allow: number; deny: number }, seconds: number, load: number): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return [
    '## Consent decisions',
    '',
    `\`${command}\` — ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${os.cpus().length} × ${cpu}, ` +
      `${process.env.DATABASE_URL ? 'PostgreSQL at DATABASE_URL' : `embedded PostgreSQL (shared_buffers ${SHARED_BUFFERS})`}, the rule's tables and indexes read into its buffers (pg_prewarm) before each catalog is measured; gateway with NODE_ENV=production; ` +
      `client, gateway, baselines and database on the same machine (loopback); 1-minute load average ${load.toFixed(2)} ` +
      `when the run started. Run took ${seconds.toFixed(0)} s.`,
    '',
    'Catalog: 100,000 generated works (bench/catalog.ts); the AI partner asks TRAINING in FR with the full decision selection ' +
      `(every field of every decision, plus the receipt). Mix in a 10,000 batch: ${mix.allow} ALLOW, ${mix.deny} DENY. ` +
      'The raw baseline runs the same decision SQL through `pg` behind `node:http` (prepared for small batches, as the ' +
      'gateway does) and returns the rows as JSON (no GraphQL, authentication, receipt or batch record). In each latency row ' +
      'the two sides take turns, request by request, one client; the 1M row compares two gateways, one per catalog, the same way. ' +
      '"CPU … ms/request" is the serving process\'s CPU time (all its threads, read from /proc) over the measured requests, ' +
      'divided by their number: the database\'s share is not in it. One request at a time, a process also pays for waking ' +
      'up on every message (the client\'s, each answer from PostgreSQL), so the same request costs several times the CPU it ' +
      'costs under concurrency (the throughput rows). The two "floor" rows send the same single-ISRC query to Apollo Server ' +
      'alone (bench/apollo-floor.ts: the gateway\'s Apollo settings, a schema of the same types, none of the gateway\'s ' +
      'authentication, policy, limits, cost or batch record), answered from constants, then by the rule\'s statement shared ' +
      'by concurrent requests and an ES256 receipt: what any gateway built on Apollo pays before doing more.',
    '',
    '| measurement | Accord | baseline (same run) | ratio | target | met |',
    '|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.measurement} | ${r.accord} | ${r.baseline} | ${r.ratio.toFixed(2)}× | ${r.target} | ${r.met ? 'yes' : '**no**'} |`),
    '',
  ].join('\n');
}

function renderManifest(walk: Walk, raw: Walk, command: string, seconds: number, load: number): string {
  const pages = (w: Walk) => `${percentile(w.pages, 50).toFixed(1)} / ${percentile(w.pages, 99).toFixed(1)} ms`;
  const ratio = walk.totalMs / raw.totalMs;
  return [
    '## Licensed-works manifests',
    '',
    `\`${command}\` — the same run as "Consent decisions" above (${new Date().toISOString().slice(0, 10)}, 1-minute load average ` +
      `${load.toFixed(2)} when it started, ${seconds.toFixed(0)} s in all). The AI partner walks its whole manifest for TRAINING in FR ` +
      `on the 100,000-work catalog, \`licensedWorks(first: ${MANIFEST_PAGE}, after: …) { edges { node { isrc } } pageInfo { hasNextPage endCursor } }\`, ` +
      `page after page, as a training pipeline would; the raw baseline runs the same keyset SQL through \`pg\` behind \`node:http\` and ` +
      `returns the ISRCs. Both list the same ${walk.isrcs.length.toLocaleString('en')} works (checked). The two sides take turns page by page; a walk's total adds up its pages' times. Median of ${MANIFEST_WALKS} walks after one unmeasured.`,
    '',
    '| measurement | Accord | raw SQL over node:http (same run) | ratio |',
    '|---|---|---|---|',
    `| whole manifest, ${walk.pages.length} pages | ${(walk.totalMs / 1000).toFixed(2)} s | ${(raw.totalMs / 1000).toFixed(2)} s | ${ratio.toFixed(2)}× |`,
    `| one page: median / p99 | ${pages(walk)} | ${pages(raw)} | ${(percentile(walk.pages, 50) / percentile(raw.pages, 50)).toFixed(2)}× |`,
    '',
  ].join('\n');
}

/** Replaces a section of BENCHMARKS.md (from its heading to the next `## `), keeping every other section. */
function writeSection(heading: string, section: string): void {
  const file = path.join(ROOT, 'BENCHMARKS.md');
  const existing = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n';
  const start = existing.indexOf(heading);
  let next: string;
  if (start === -1) {
    next = `${existing.trimEnd()}\n\n${section}`;
  } else {
    const end = existing.indexOf('\n## ', start + 1);
    next = `${existing.slice(0, start)}${section}${end === -1 ? '' : `\n${existing.slice(end + 1)}`}`;
  }
  fs.writeFileSync(file, `${next.trimEnd()}\n`);
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
