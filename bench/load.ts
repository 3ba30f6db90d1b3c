import fs from 'node:fs';
import http from 'node:http';
import { cpuSeconds } from './support/process-usage';

/** A tiny HTTP load generator over keep-alive connections: latency samples and closed-loop throughput. */
export interface Target {
  port: number;
  path: string;
  headers: Record<string, string>;
  /** The serving process, when it is ours: its CPU time per request is reported (Linux only). */
  pid?: number;
}

/** CPU seconds the target's process has used so far; undefined when unknown (no pid, or no /proc). */
function cpuOf(target: Target): number | undefined {
  return target.pid !== undefined && fs.existsSync(`/proc/${target.pid}/stat`) ? cpuSeconds(target.pid) : undefined;
}

/** CPU milliseconds per request between two readings of cpuOf. */
function cpuPerRequest(before: number | undefined, after: number | undefined, requests: number): number | undefined {
  return before === undefined || after === undefined || requests === 0 ? undefined : ((after - before) * 1000) / requests;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

export function post(target: Target, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: target.port,
        path: target.path,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...target.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode}: ${text.slice(0, 300)}`));
          else resolve(text);
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export interface Latency {
  samples: number;
  median: number;
  p99: number;
  /**
   * CPU time of the serving process (every thread: the event loop, GC helpers, libuv) per measured
   * request, in milliseconds; it includes what the process did for no request (timers, polling).
   */
  cpuMs?: number;
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** What one latency measurement sends: the server, request i's body, and a check of each answer. */
export interface Subject {
  target: Target;
  bodies: (i: number) => string;
  check: (response: string) => void;
}

/**
 * Sequential requests (one client) to each subject in turn, request i to every subject before request
 * i + 1 to any: `warmup` rounds unmeasured, then `samples` timed, in milliseconds. Taking turns, the
 * subjects compared see the same machine (this one is shared, and its speed drifts from one minute to
 * the next), so their ratio does not depend on which was measured first.
 */
export async function measureLatencies(subjects: Subject[], warmup: number, samples: number): Promise<Latency[]> {
  const times: number[][] = subjects.map(() => []);
  let cpuBefore: (number | undefined)[] = [];
  for (let i = 0; i < warmup + samples; i += 1) {
    if (i === warmup) cpuBefore = subjects.map(({ target }) => cpuOf(target));
    for (const [s, { target, bodies, check }] of subjects.entries()) {
      const body = bodies(i);
      const started = process.hrtime.bigint();
      const response = await post(target, body);
      if (i >= warmup) times[s].push(Number(process.hrtime.bigint() - started) / 1e6);
      check(response);
    }
  }
  const cpuAfter = subjects.map(({ target }) => cpuOf(target));
  return times.map((sampled, s) => {
    sampled.sort((a, b) => a - b);
    return { samples, median: percentile(sampled, 50), p99: percentile(sampled, 99), cpuMs: cpuPerRequest(cpuBefore[s], cpuAfter[s], samples) };
  });
}

export interface Throughput {
  perSecond: number;
  /** As in Latency: the serving process's CPU milliseconds per completed request. */
  cpuMs?: number;
}

/** `clients` loops sending back-to-back for `seconds` after `warmupSeconds`: completed requests per second. */
export async function measureThroughput(
  target: Target,
  bodies: (i: number) => string,
  clients: number,
  warmupSeconds: number,
  seconds: number,
): Promise<Throughput> {
  let counting = false;
  let completed = 0;
  let sent = 0;
  let cpuBefore: number | undefined;
  const stopAt = Date.now() + (warmupSeconds + seconds) * 1000;
  setTimeout(() => {
    counting = true;
    cpuBefore = cpuOf(target);
  }, warmupSeconds * 1000);
  const started = Date.now() + warmupSeconds * 1000;
  const loop = async () => {
    while (Date.now() < stopAt) {
      sent += 1;
      await post(target, bodies(sent));
      if (counting) completed += 1;
    }
  };
  await Promise.all(Array.from({ length: clients }, loop));
  const cpuMs = cpuPerRequest(cpuBefore, cpuOf(target), completed);
  return { perSecond: completed / ((Date.now() - started) / 1000), cpuMs };
}
