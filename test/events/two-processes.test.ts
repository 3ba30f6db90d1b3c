import fs from 'node:fs';
import { latestCursor, nextIsrc, registerWork } from '../support/changes';
import { compileGateway, startChildGateway, type ChildGateway } from '../support/child-gateway';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedDemoPartners, type Demo } from '../support/demo';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { bearer, subscribeChanges } from '../support/subscriptions';

let db: TestDatabase;
let processA: TestGateway;
let processB: ChildGateway;
let outDir: string;
let demo: Demo;

beforeAll(async () => {
  outDir = compileGateway();
  db = await createTestDatabase();
  demo = await seedDemoPartners(db.dataSource);
  processA = await startTestGateway(db.dataSource);
  processB = await startChildGateway(outDir, db.url);
});
afterAll(async () => {
  await processB?.stop();
  await processA?.close();
  await db?.drop();
  if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
});

describe('two gateway processes on one database', () => {
  it('a mutation through process A reaches subscribers on process B and on A, and the other way round', async () => {
    expect(processB.process.pid).not.toBe(process.pid);
    const since = await latestCursor(db.dataSource);
    const onB = subscribeChanges(processB.url, bearer(demo.aurora.token), { since });
    const onA = subscribeChanges(processA.url, bearer(demo.operations.token), { since });
    try {
      const throughA = await registerWork(processA, demo.aurora.token, { isrc: nextIsrc(), title: 'Through A', labelGlobalId: demo.aurora.globalId });
      expect(throughA.body.errors).toBeUndefined();
      const [fromA] = await onB.waitFor(1);
      expect(fromA).toMatchObject({ type: 'WORK_REGISTERED', payload: { title: 'Through A' }, actor: { name: 'Aurora Records' } });
      expect((await onA.waitFor(1))[0].cursor).toBe(fromA.cursor);

      const response = await fetch(processB.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${demo.aurora.token}` },
        body: JSON.stringify({
          query: `mutation($d: ID!) { grantMandate(input: {distributor: $d, permissions: [NEGOTIATE]}) { id } }`,
          variables: { d: demo.tidewater.globalId },
        }),
      });
      const granted = (await response.json()) as { data: { grantMandate: { id: string } } };
      const [, fromB] = await onA.waitFor(2);
      expect(fromB).toMatchObject({ type: 'MANDATE_GRANTED', entityId: granted.data.grantMandate.id });
      expect((await onB.waitFor(2))[1].cursor).toBe(fromB.cursor);
    } finally {
      await Promise.all([onA.dispose(), onB.dispose()]);
    }
  });
});
