import type { DataSource } from 'typeorm';
import { toGlobalId } from '../../src/common/relay/global-id';
import { ChangeType } from '../../src/events/change-type';
import { appendChangeEvents } from '../../src/events/outbox';
import type { TestGateway } from './gateway';

export const REGISTER = `mutation($input: [WorkInput!]!) { registerWorks(input: $input) { createdCount updatedCount } }`;

let serial = 0;

/** A fresh ISRC per call (each test file has a database of its own). */
export function nextIsrc(): string {
  serial += 1;
  return `QZTST26${String(serial).padStart(5, '0')}`;
}

/** Registers (or retitles) one work owned by one label, through the API: one WORK_* event when it commits. */
export async function registerWork(
  gateway: TestGateway,
  token: string,
  work: { isrc: string; title: string; labelGlobalId: string },
) {
  return gateway.request(token, REGISTER, {
    input: [
      {
        isrc: work.isrc,
        title: work.title,
        artists: [{ name: 'Nadia Rey', role: 'MAIN' }],
        rightsholders: [{ label: work.labelGlobalId, shareBps: 10000 }],
      },
    ],
  });
}

/**
 * Writes outbox events the way a module does, in a raw transaction, with pauses before and after so
 * that sequence ids and commit order disagree; `rollback` throws after writing them.
 */
export async function writeEvents(
  dataSource: DataSource,
  options: { actorId: string; partnerIds: string[]; count: number; sleepBefore?: number; sleepAfter?: number; rollback?: boolean; title?: string },
): Promise<void> {
  await dataSource
    .transaction(async (manager) => {
      if (options.sleepBefore) await manager.query('SELECT pg_sleep($1)', [options.sleepBefore]);
      await appendChangeEvents(
        manager,
        Array.from({ length: options.count }, (_, index) => ({
          type: ChangeType.WORK_UPDATED,
          entityId: toGlobalId('Work', '00000000-0000-4000-8000-000000000000'),
          actorId: options.actorId,
          partnerIds: options.partnerIds,
          payload: { isrc: 'QZTST2600000', title: `${options.title ?? 'raw'} ${index}`, ownerLabelIds: options.partnerIds },
        })),
      );
      if (options.sleepAfter) await manager.query('SELECT pg_sleep($1)', [options.sleepAfter]);
      if (options.rollback) throw new RolledBack();
    })
    .catch((error: unknown) => {
      if (!(error instanceof RolledBack)) throw error;
    });
}

class RolledBack extends Error {}

/** Cursors of the outbox rows after a cursor, in feed order, as a subscriber seeing everything gets them. */
export async function cursorsInOutbox(dataSource: DataSource, where = 'TRUE', params: unknown[] = []): Promise<string[]> {
  const rows = (await dataSource.query(
    `SELECT e.transaction_id::text AS transaction_id, e.id::text AS id FROM change_event e WHERE ${where}
     ORDER BY e.transaction_id, e.id`,
    params,
  )) as { transaction_id: string; id: string }[];
  return rows.map((row) => Buffer.from(`${row.transaction_id}:${row.id}`).toString('base64url'));
}

/**
 * The cursor of the newest event in the outbox: subscribing with it as `since` hears everything that
 * commits from now on, however long the socket takes to open (no race with the test's next write).
 */
export async function latestCursor(dataSource: DataSource): Promise<string> {
  const [row] = (await dataSource.query(
    `SELECT e.transaction_id::text AS transaction_id, e.id::text AS id FROM change_event e ORDER BY e.transaction_id DESC, e.id DESC LIMIT 1`,
  )) as { transaction_id: string; id: string }[];
  return Buffer.from(row ? `${row.transaction_id}:${row.id}` : '0:0').toString('base64url');
}
