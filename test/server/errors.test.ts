import { Writable } from 'node:stream';
import pino from 'pino';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { seedDemoPartners, type Demo } from '../support/demo';
import { startTestGateway, type TestGateway } from '../support/gateway';

let db: TestDatabase;
let gateway: TestGateway;
let demo: Demo;
const logLines: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  demo = await seedDemoPartners(db.dataSource);
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  gateway = await startTestGateway(db.dataSource, {}, pino({ level: 'error' }, sink));
});
afterAll(async () => {
  await gateway.close();
  await db.drop();
});

describe('errors', () => {
  it('turns a database failure into INTERNAL_SERVER_ERROR without SQL or stack, logged under the request id', async () => {
    // A table only the nested field reads (the work itself carries its owners, read from right_share).
    await db.dataSource.query('ALTER TABLE work_artist RENAME TO work_artist_moved');
    try {
      const response = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${demo.operations.token}`, 'x-request-id': 'req-db-failure' },
        body: JSON.stringify({ query: '{ work(isrc: "QZAUR2600001") { title artists { role } } }' }),
      });
      const body: any = await response.json(); // any: the response of the operation sent above
      expect(body.errors).toEqual([
        {
          message: 'Internal server error',
          locations: expect.any(Array),
          path: ['work', 'artists'],
          extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'req-db-failure' },
        },
      ]);
      expect(JSON.stringify(body)).not.toMatch(/work_artist|SELECT|relation|stack/i);
      const logged = logLines.map((line) => JSON.parse(line)).find((entry) => entry.requestId === 'req-db-failure');
      expect(logged).toBeDefined();
      expect(JSON.stringify(logged)).toMatch(/work_artist/);
    } finally {
      await db.dataSource.query('ALTER TABLE work_artist_moved RENAME TO work_artist');
    }
  });

  it('maps GraphQL validation errors to BAD_USER_INPUT', async () => {
    const { body } = await gateway.request(demo.operations.token, '{ works { nope } }');
    expect(body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'GRAPHQL_VALIDATION_FAILED' });
  });

  it('refuses an operation an AI partner may never call with FORBIDDEN, and writes nothing', async () => {
    const { body } = await gateway.request(
      demo.resonance.token,
      `mutation($p: ID!) { suspendPartner(input: {partner: $p, reason: "x"}) { status } }`,
      { p: demo.cadence.globalId },
    );
    expect(body.data).toBeNull();
    expect(body.errors?.[0].extensions.code).toBe('FORBIDDEN');
    const [{ status }] = await db.dataSource.query('SELECT status FROM partner WHERE id = $1', [demo.cadence.id]);
    expect(status).toBe('ACTIVE');
  });
});
