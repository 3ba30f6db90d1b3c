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

  it("does not log the partner's own mistakes (found by fuzzing: 4,162 error lines, some of 200 kB)", async () => {
    const send = (requestId: string, token: string, body: unknown) =>
      fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-request-id': requestId },
        body: JSON.stringify(body),
      }).then((response) => response.json() as Promise<{ errors: { extensions: { code: string } }[] }>);
    const mistakes = [
      await send('req-bad-variable', demo.resonance.token, {
        query: 'query($isrcs: [ISRC!]!) { consentDecisions(isrcs: $isrcs, use: TRAINING, territory: "FR") { digest } }',
        variables: { isrcs: ['x'.repeat(5000)] },
      }),
      await send('req-bad-enum', demo.resonance.token, { query: '{ licensedWorks(use: NOPE, territory: "FR") { edges { cursor } } }' }),
      await send('req-bad-int', demo.resonance.token, { query: 'query($n: Int) { works(first: $n) { edges { cursor } } }', variables: { n: 'ten' } }),
    ];
    for (const body of mistakes) expect(body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(logLines.filter((line) => /req-bad-(variable|enum|int)/.test(line))).toEqual([]);
  });

  it('answers a request whose variables nest 50,000 levels deep (found by fuzzing: a 500)', async () => {
    const body = `{"query":"{ viewer { name } }","variables":{"x":${'['.repeat(50_000)}${']'.repeat(50_000)}}}`;
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${demo.resonance.token}` },
      body,
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { data: unknown }).data).toEqual({ viewer: { name: 'Resonance AI' } });
  });

  it('maps GraphQL validation errors to BAD_USER_INPUT', async () => {
    const { body } = await gateway.request(demo.operations.token, '{ works { nope } }');
    expect(body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'GRAPHQL_VALIDATION_FAILED' });
  });

  it('refuses strings the database cannot keep as sent with BAD_USER_INPUT naming where they are, and writes nothing', async () => {
    const register = `mutation($input: [WorkInput!]!) { registerWorks(input: $input) { createdCount } }`;
    const work = (title: string, artist: string) => ({
      isrc: 'QZNUL2600001',
      title,
      artists: [{ name: artist, role: 'MAIN' }],
      rightsholders: [{ label: demo.aurora.globalId, shareBps: 10000 }],
    });
    const refusals = [
      { input: [work('First Light', 'Nadia\u0000Rey')], message: 'variables.input[0].artists[0].name contains a NUL character (U+0000)' },
      { input: [work('First \ud800Light', 'Nadia Rey')], message: 'variables.input[0].title contains a lone UTF-16 surrogate, which is not Unicode text' },
      { input: [work('x'.repeat(10_001), 'Nadia Rey')], message: 'variables.input[0].title is 10001 characters long, more than the 10000 allowed' },
    ];
    for (const { input, message } of refusals) {
      const { status, body } = await gateway.request(demo.aurora.token, register, { input });
      expect(status).toBe(400);
      expect(body.errors).toEqual([{ message, extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }]);
    }
    const literal = await gateway.request(demo.aurora.token, '{ works(first: 1, filter: {titleContains: "a\\u0000b"}) { edges { cursor } } }');
    expect(literal.body.errors).toEqual([
      expect.objectContaining({ message: 'a string in the document contains a NUL character (U+0000)', extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }),
    ]);
    const suspend = await gateway.request(demo.operations.token, `mutation($p: ID!, $r: String!) { suspendPartner(input: {partner: $p, reason: $r}) { status } }`, {
      p: demo.cadence.globalId,
      r: 'late payments \u0000',
    });
    expect(suspend.body.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(await db.dataSource.query(`SELECT 1 FROM work WHERE isrc = 'QZNUL2600001'`)).toEqual([]);
    const [{ status }] = await db.dataSource.query('SELECT status FROM partner WHERE id = $1', [demo.cadence.id]);
    expect(status).toBe('ACTIVE');
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
