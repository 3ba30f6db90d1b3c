import DataLoader from 'dataloader';

/**
 * A loader shared by every request of the process: what concurrent requests ask during one turn of the
 * event loop goes to PostgreSQL as one statement (flushed by setImmediate, once the I/O that arrived
 * together has been handled). On this kind of machine a round trip costs more than deciding a few
 * dozen works, so under load this is most of the throughput.
 *
 * Nothing is cached: every key is answered by a statement sent after the key was asked, so a change
 * committed before a request arrived (a withdrawal, a suspension) is always seen by that request.
 */
export function coalescingLoader<K, V>(batch: (keys: readonly K[]) => Promise<ReadonlyArray<V | Error>>): DataLoader<K, V> {
  return new DataLoader<K, V>(batch, { cache: false, batchScheduleFn: (flush) => setImmediate(flush) });
}
