import http from 'node:http';

/** A tiny HTTP load generator over keep-alive connections: latency samples and closed-loop throughput. */
export interface Target {
  port: number;
  path: string;
  headers: Record<string, string>;
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
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Sequential requests (one client): `warmup` unmeasured, then `samples` timed, in milliseconds. */
export async function measureLatency(
  target: Target,
  bodies: (i: number) => string,
  warmup: number,
  samples: number,
  check: (response: string) => void,
): Promise<Latency> {
  for (let i = 0; i < warmup; i += 1) check(await post(target, bodies(i)));
  const times: number[] = [];
  for (let i = 0; i < samples; i += 1) {
    const body = bodies(warmup + i);
    const started = process.hrtime.bigint();
    const response = await post(target, body);
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    check(response);
  }
  times.sort((a, b) => a - b);
  return { samples, median: percentile(times, 50), p99: percentile(times, 99) };
}

/** `clients` loops sending back-to-back for `seconds` after `warmupSeconds`; completed requests per second. */
export async function measureThroughput(
  target: Target,
  bodies: (i: number) => string,
  clients: number,
  warmupSeconds: number,
  seconds: number,
): Promise<number> {
  let counting = false;
  let completed = 0;
  let sent = 0;
  const stopAt = Date.now() + (warmupSeconds + seconds) * 1000;
  setTimeout(() => {
    counting = true;
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
  return completed / ((Date.now() - started) / 1000);
}
