import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { DataSource } from 'typeorm';
import { buildDataSource } from '../ormconfig';
import { mintToken } from '../src/auth/jwt';
import type { JwtSettings } from '../src/config';
import { migrate } from '../src/db/database';
import { audienceOf } from '../src/events/change-audience';
import { toCursor } from '../src/events/cursor';
import { PartnersService } from '../src/partners/partners.service';
import { seedDemo } from '../src/seed/seed-demo';
import { startGatewayProcess } from '../test/support/child-gateway';
import { createBenchDatabase } from './support/bench-database';
import { recordRun } from './support/benchmarks-file';
import { expectedDeliveries, tallyDeliveries, type CommittedEvent } from './support/deliveries';
import { lightSubscriber } from './support/light-subscriber';
import { driveMutations, type WorkToRetitle } from './support/mutation-driver';
import { cpuSeconds, machineBusySeconds, residentMiB, sampleMemory } from './support/process-usage';
import { percentile, Receipts } from './support/receipts';

/**
 * `npm run bench:subscriptions`: N subscribers on one gateway process, M mutations a second for S
 * seconds through its HTTP API, every delivery checked in: latency from commit to client (commit times
 * from PostgreSQL's commit timestamps), events lost, duplicates, the gateway's memory and CPU time.
 * Everything runs on loopback; the gateway is a child process so its memory is its own.
 */
interface Options {
  subscribers: number;
  rate: number;
  seconds: number;
  /**
   * `same`: mutations go to the subscribers' gateway, which then serves both. `replica`: to a second
   * gateway process on the same database, as behind a load balancer; the subscribers' process only fans out.
   */
  writer: 'same' | 'replica';
}

const USAGE = 'use --subscribers=N --rate=N --seconds=N --writer=same|replica';

function parseOptions(argv: string[]): Options {
  const options: Options = { subscribers: 1000, rate: 100, seconds: 30, writer: 'same' };
  for (const argument of argv) {
    const count = /^--(subscribers|rate|seconds)=(\d+)$/.exec(argument);
    const writer = /^--writer=(same|replica)$/.exec(argument);
    if (count) options[count[1] as 'subscribers' | 'rate' | 'seconds'] = Number(count[2]);
    else if (writer) options.writer = writer[1] as Options['writer'];
    else throw new Error(`unknown argument ${argument} (${USAGE})`);
  }
  if (options.subscribers < 1 || options.rate < 1 || options.seconds < 1) throw new Error('every count must be at least 1');
  return options;
}

const SUBSCRIPTION = `subscription($since: String) {
  changes(since: $since) { cursor type entityId occurredAt payload actor { name } }
}`;
/** Subscribers are spread evenly over these partners: internal hears every event, the others about half. */
const SUBSCRIBING_PARTNERS = ['Accord Operations', 'Aurora Records', 'Meridian Music', 'Tidewater Distribution'];
const CONNECT_TIMEOUT_MS = 60_000;
const DRAIN_TIMEOUT_MS = 120_000;

const now = () => performance.timeOrigin + performance.now();
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const round = (value: number) => Math.round(value * 10) / 10;

async function newestCursor(dataSource: DataSource): Promise<{ cursor: string; transactionId: string; id: string }> {
  const [head] = await dataSource.query(
    `SELECT e.transaction_id::text AS transaction_id, e.id::text AS id FROM change_event e ORDER BY e.transaction_id DESC, e.id DESC LIMIT 1`,
  );
  return { cursor: toCursor({ transactionId: BigInt(head.transaction_id), id: BigInt(head.id) }), transactionId: head.transaction_id, id: head.id };
}

/** Single-owner demo works, each to be retitled by its owner. */
async function worksToRetitle(dataSource: DataSource, jwt: JwtSettings): Promise<WorkToRetitle[]> {
  const rows = (await dataSource.query(
    `SELECT w.isrc, min(rs.label_id::text) AS label_id FROM work w JOIN right_share rs ON rs.work_id = w.id
     GROUP BY w.isrc HAVING count(*) = 1 ORDER BY w.isrc`,
  )) as { isrc: string; label_id: string }[];
  return rows.map((row) => ({ isrc: row.isrc, labelId: row.label_id, token: mintToken(jwt, row.label_id, 3600) }));
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const database = await createBenchDatabase();
  const dataSource = buildDataSource(database.url);
  await dataSource.initialize();
  const subscribers: { close(): void }[] = [];
  let stopGateway = async () => {};
  let stopping = false;
  try {
    await migrate(dataSource);
    await seedDemo(dataSource);
    const jwt: JwtSettings = { issuer: 'accord-bench', audience: 'accord-bench', algorithms: ['HS256'], secret: randomBytes(32).toString('hex') };
    const startGateway = async () => {
      const started = await startGatewayProcess(path.join(__dirname, '../src/main.js'), {
        DATABASE_URL: database.url,
        JWT_ISSUER: jwt.issuer,
        JWT_AUDIENCE: jwt.audience,
        JWT_SECRET: jwt.secret!,
      });
      const stopBefore = stopGateway;
      stopGateway = async () => {
        await started.stop();
        await stopBefore();
      };
      started.process.on('exit', (code, signal) => {
        if (!stopping) process.stderr.write(`gateway exited (${code ?? signal}):\n${started.output().slice(-4000)}\n`);
      });
      return started;
    };
    const gateway = await startGateway();
    const writer = options.writer === 'replica' ? await startGateway() : gateway;
    const gatewayPid = gateway.process.pid!;
    const idleMiB = residentMiB(gatewayPid);

    const partners = new PartnersService(dataSource);
    const partnerIds = await Promise.all(SUBSCRIBING_PARTNERS.map(async (name) => (await partners.findPartnerByName(name))!.id));
    const audiences = await Promise.all(partnerIds.map(async (id) => audienceOf((await partners.loadViewer(id))!)));
    const audienceOfSubscriber = (index: number) => audiences[index % audiences.length];
    const head = await newestCursor(dataSource);

    // Every subscriber starts from the same cursor, so none misses anything however long connecting takes.
    const receipts = new Receipts(options.subscribers, options.rate * options.seconds + 100);
    let acknowledged = 0;
    let closedByGateway = 0;
    const closeCodes = new Map<number, number>();
    const problems: unknown[] = [];
    const wsUrl = gateway.url.replace(/^http/, 'ws');
    for (let index = 0; index < options.subscribers; index += 1) {
      const token = mintToken(jwt, partnerIds[index % partnerIds.length], 3600);
      subscribers.push(
        lightSubscriber(wsUrl, token, SUBSCRIPTION, head.cursor, {
          acknowledged: () => (acknowledged += 1),
          next: (cursor) => receipts.record(index, cursor, now()),
          problem: (description) => problems.push(description),
          closed: (code, reason) => {
            if (stopping) return;
            closedByGateway += 1;
            closeCodes.set(code, (closeCodes.get(code) ?? 0) + 1);
            problems.push({ code, reason });
          },
        }),
      );
      if (index % 100 === 99) await pause(50);
    }
    for (let waited = 0; acknowledged < options.subscribers; waited += 100) {
      if (waited > CONNECT_TIMEOUT_MS) throw new Error(`only ${acknowledged} of ${options.subscribers} subscribers connected`);
      await pause(100);
    }
    await pause(1000);
    const subscribedMiB = residentMiB(gatewayPid);

    const memory = sampleMemory(gatewayPid);
    const gatewayCpuBefore = cpuSeconds(gatewayPid);
    const benchCpuBefore = process.cpuUsage();
    const machineBefore = machineBusySeconds();
    const started = now();
    const mutations = await driveMutations(writer.url, await worksToRetitle(dataSource, jwt), options.rate, options.seconds);

    const events = (await dataSource.query(
      `SELECT e.transaction_id::text AS transaction_id, e.id::text AS id, e.partner_ids, e.payload->>'title' AS title,
              ${database.commitTimestamps ? `extract(epoch FROM pg_xact_commit_timestamp(e.transaction_id::xid)) * 1000` : 'NULL'} AS committed_ms
       FROM change_event e WHERE (e.transaction_id, e.id) > ($1::xid8, $2::bigint) ORDER BY e.transaction_id, e.id`,
      [head.transactionId, head.id],
    )) as CommittedEvent[];
    const expected = expectedDeliveries(events, audienceOfSubscriber, options.subscribers);
    for (let waited = 0; receipts.received < expected && waited < DRAIN_TIMEOUT_MS; waited += 100) await pause(100);
    await pause(500);
    memory.stop();
    const runSeconds = (now() - started) / 1000;
    const gatewayCpu = cpuSeconds(gatewayPid) - gatewayCpuBefore;
    const benchCpuUsage = process.cpuUsage(benchCpuBefore);
    const machineBusy = machineBusySeconds() - machineBefore;
    const tally = tallyDeliveries(events, audienceOfSubscriber, options.subscribers, receipts, mutations.sentAt);

    const latency = (sorted: Float64Array) =>
      `median ${round(percentile(sorted, 0.5))} ms, p99 ${round(percentile(sorted, 0.99))} ms, max ${round(percentile(sorted, 1))} ms`;
    const figures: [string, string][] = [
      ['subscribers (sockets)', `${options.subscribers}, spread over ${SUBSCRIBING_PARTNERS.length} partners (internal hears all, the others about half)`],
      [
        'mutations',
        `${options.rate * options.seconds} offered at ${options.rate}/s for ${options.seconds} s ` +
          `through ${options.writer === 'same' ? 'the same gateway process' : 'a second gateway process'}; ` +
          `all sent and answered in ${round(mutations.seconds)} s; ${mutations.failed} failed`,
      ],
      ['events committed', String(events.length)],
      ['deliveries expected / received', `${tally.expected} / ${receipts.received}`],
      ['events lost', String(tally.lost)],
      ['duplicates', String(receipts.duplicates)],
      [
        'sockets closed by the gateway (then resumed from their last cursor)',
        closedByGateway === 0 ? '0' : `${closedByGateway} (${[...closeCodes].map(([code, count]) => `${count} × ${code}`).join(', ')})`,
      ],
      ['latency commit → client', database.commitTimestamps ? latency(tally.fromCommit) : 'n/a (track_commit_timestamp is off on this server)'],
      ['latency request sent → client', latency(tally.fromRequest)],
      [
        'CPU time, first mutation to last delivery',
        `${round(runSeconds)} s elapsed: subscribers' gateway ${round(gatewayCpu)} s, benchmark process (mutations and all clients) ${round((benchCpuUsage.user + benchCpuUsage.system) / 1e6)} s; ` +
          `the whole machine ${round(machineBusy)} of ${round(runSeconds * os.cpus().length)} CPU-seconds busy`,
      ],
      ["subscribers' gateway RSS", `${round(idleMiB)} MiB idle, ${round(subscribedMiB)} MiB with subscribers connected, ${round(memory.peak())} MiB peak during the run`],
    ];
    const width = Math.max(...figures.map(([name]) => name.length));
    process.stdout.write(`\n${figures.map(([name, value]) => `${name.padEnd(width)}  ${value}`).join('\n')}\n`);
    const errors = [...mutations.errors, ...problems];
    if (errors.length) process.stdout.write(`first problems: ${JSON.stringify(errors.slice(0, 3))}\n`);

    const command = `npm run bench:subscriptions -- --subscribers=${options.subscribers} --rate=${options.rate} --seconds=${options.seconds} --writer=${options.writer}`;
    const machine = `Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, ${database.description}; gateway, PostgreSQL and clients on one machine (loopback)`;
    recordRun(
      path.resolve(__dirname, '../../BENCHMARKS.md'),
      'Subscriptions fan-out',
      'bench/subscriptions-fanout.ts: subscribers on one gateway process (a child process, so its memory is its own), ' +
        'mutations through its HTTP API at a fixed rate, every delivery checked against the outbox with the audience rule. ' +
        'Latency runs from the commit timestamp PostgreSQL records to the moment the client process reads the message.',
      [
        `### ${new Date().toISOString()}`,
        '',
        `\`${command}\``,
        '',
        machine,
        '',
        '| measure | value |',
        '|---|---|',
        ...figures.map(([name, value]) => `| ${name} | ${value} |`),
      ].join('\n'),
    );
    process.stdout.write('\nrecorded in BENCHMARKS.md\n');
  } finally {
    stopping = true;
    for (const subscriber of subscribers) subscriber.close();
    await stopGateway();
    await dataSource.destroy();
    await database.close();
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
