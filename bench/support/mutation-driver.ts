import { performance } from 'node:perf_hooks';
import { toGlobalId } from '../../src/common/relay/global-id';

const REGISTER = `mutation($input: [WorkInput!]!) { registerWorks(input: $input) { updatedCount } }`;

export interface WorkToRetitle {
  isrc: string;
  labelId: string;
  /** The owning label's token: it retitles its own work. */
  token: string;
}

export interface MutationRun {
  /** When each title was sent, by title (`Bench <n>`), on the clock of `performance.timeOrigin + now()`. */
  sentAt: Map<string, number>;
  failed: number;
  errors: unknown[];
  /** From the first request sent to the last response received. */
  seconds: number;
}

const now = () => performance.timeOrigin + performance.now();

/**
 * Sends `rate` mutations a second for `seconds` seconds without waiting for responses (a slow gateway
 * does not slow the schedule down, though a busy benchmark process may): each retitles one work, so
 * each commits exactly one WORK_UPDATED event.
 */
export async function driveMutations(url: string, works: readonly WorkToRetitle[], rate: number, seconds: number): Promise<MutationRun> {
  const run: MutationRun = { sentAt: new Map(), failed: 0, errors: [], seconds: 0 };
  const started = now();
  const inFlight: Promise<void>[] = [];
  for (let index = 0; index < rate * seconds; index += 1) {
    const due = started + (index * 1000) / rate;
    if (due > now()) await new Promise((resolve) => setTimeout(resolve, due - now()));
    const work = works[index % works.length];
    const title = `Bench ${index}`;
    run.sentAt.set(title, now());
    const input = [
      {
        isrc: work.isrc,
        title,
        artists: [{ name: 'Bench Artist', role: 'MAIN' }],
        rightsholders: [{ label: toGlobalId('Partner', work.labelId), shareBps: 10000 }],
      },
    ];
    inFlight.push(
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${work.token}` },
        body: JSON.stringify({ query: REGISTER, variables: { input } }),
      })
        .then((response) => response.json() as Promise<{ errors?: unknown[] }>)
        .then(
          (body) => {
            if (!body.errors) return;
            run.failed += 1;
            run.errors.push(body.errors);
          },
          (error: Error) => {
            run.failed += 1;
            run.errors.push(`mutation ${index}: ${error.message} (${String((error.cause as Error | undefined)?.message)})`);
          },
        ),
    );
  }
  await Promise.all(inFlight);
  run.seconds = (now() - started) / 1000;
  return run;
}
