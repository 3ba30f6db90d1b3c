import fs from 'node:fs';

/** Resident memory of another process (Linux /proc), in MiB; NaN once it has exited. */
export function residentMiB(pid: number): number {
  if (!fs.existsSync(`/proc/${pid}/status`)) return NaN;
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1] ?? NaN);
  return kib / 1024;
}

/** CPU time (user + system) another process has used so far, in seconds (Linux /proc, 100 ticks a second). */
export function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are the 14th and 15th fields.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * CPU time the whole machine spent busy so far (every process: PostgreSQL, the gateways, the clients and
 * anything else running), in seconds, with the number of CPUs: how contended a run was.
 */
export function machineBusySeconds(): number {
  const [, ...ticks] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = ticks;
  return (user + nice + system + irq + softirq + steal) / 100;
}

/** Samples a process's resident memory on an interval and keeps the peak. */
export function sampleMemory(pid: number, intervalMs = 250): { peak(): number; stop(): void } {
  let peak = residentMiB(pid);
  const timer = setInterval(() => {
    const now = residentMiB(pid);
    if (!Number.isNaN(now)) peak = Math.max(peak, now);
  }, intervalMs);
  return { peak: () => peak, stop: () => clearInterval(timer) };
}
