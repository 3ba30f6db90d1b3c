/**
 * Writes a request's answer must wait for. A resolver that starts a write its answer depends on (the
 * record of a decision batch, which the answer's decisionId and receipt name) holds it here and goes on,
 * so the rest of the answer is executed while the write is in flight; execution settles the gate before
 * the answer is sent (compiled-execution.ts). An answer therefore never leaves before its writes have
 * committed, and it is an error if one of them failed.
 */
export class AnswerGate {
  private readonly writes: Promise<unknown>[] = [];

  hold(write: Promise<unknown>): void {
    // Settled later; until then a failure must not count as an unhandled rejection.
    write.catch(() => undefined);
    this.writes.push(write);
  }

  /** Resolves when every held write has committed; rejects with the first failure. */
  async settle(): Promise<void> {
    if (this.writes.length > 0) await Promise.all(this.writes);
  }
}
