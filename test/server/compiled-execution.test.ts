import { execute, parse, type ExecutionResult, type GraphQLError } from 'graphql';
import pino from 'pino';
import { DomainError } from '../../src/common/errors';
import { idOf } from '../../src/common/relay/global-id';
import { ReceiptSigner } from '../../src/decisions/receipt';
import { AnswerGate } from '../../src/server/answer-gate';
import { compiledExecutor, MAX_COMPILED_FIELDS } from '../../src/server/compiled-execution';
import { createLoaders, type RequestContext } from '../../src/server/context';
import { createServices, type Services } from '../../src/server/services';
import { startDemoGateway, stopDemoGateway, type DemoGateway } from '../support/demo-gateway';
import type { Demo } from '../support/demo';
import { testSettings, type Json } from '../support/gateway';

/**
 * The gateway executes operations with graphql-jit (src/server/compiled-execution.ts). Both executors
 * run the same read-only operations for every kind of partner here, and must give the same data and
 * the same errors (message, path, locations, code): authorization down to the field, null propagation,
 * fragments on interfaces, directives, aliases, introspection.
 */
let setup: DemoGateway;
let services: Services;
let demo: Demo;

beforeAll(async () => {
  setup = await startDemoGateway();
  demo = setup.demo;
  const settings = testSettings();
  services = createServices(setup.db.dataSource, new ReceiptSigner(settings.receipt), settings.jwt.issuer);
});
afterAll(() => stopDemoGateway(setup));

const logger = pino({ level: 'silent' });

async function contextOf(partner: keyof Demo): Promise<RequestContext> {
  const viewer = (await services.partners.loadViewer(demo[partner].id))!;
  return { requestId: 'compiled-execution-test', viewer, services, loaders: createLoaders(viewer, services), logger, answerGate: new AnswerGate() };
}

/**
 * What a partner sees of a result: JSON data, and each error's message, path, locations and code. The
 * order of errors follows the order in which resolvers finish, which GraphQL leaves open: sorted here.
 */
function asSeen(result: ExecutionResult) {
  const errors = (result.errors ?? []).map((error: GraphQLError) => ({
    message: error.message,
    path: error.path,
    locations: error.locations,
    code: error.originalError instanceof DomainError ? error.originalError.code : error.extensions.code,
  }));
  return {
    data: JSON.parse(JSON.stringify(result.data ?? null)),
    errors: errors.map((error) => JSON.stringify(error)).sort(),
  };
}

const CATALOG = `
query Catalog($first: Int!, $withShares: Boolean!, $skipArtists: Boolean!) {
  me: viewer { id name type status mandates { id permissions label { name } } }
  works(first: $first) {
    edges {
      cursor
      node {
        ...WorkFields
        consentHistory(first: 3) { edges { node { id state scope grantedBy { name } recordedBy { name } } } }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
fragment WorkFields on Work {
  __typename id isrc title releaseDate
  artists @skip(if: $skipArtists) { role artist { name isni } }
  rightsholders @include(if: $withShares) { shareBps label { id name status type } }
}`;

const NODES = `
query Nodes($work: ID!, $partner: ID!) {
  work: node(id: $work) { __typename id ... on Work { isrc title } ... on Partner { name } }
  partner: node(id: $partner) { __typename id ... on Partner { name type dpid mandates { id } } }
  missing: node(id: "UGFydG5lcjowMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDA") { id }
  malformed: agreement(id: "not-a-relay-id") { id }
}`;

const INTROSPECTION = `{
  __schema { queryType { name } mutationType { name } types { name kind } }
  __type(name: "ConsentDecision") { fields { name type { kind ofType { name } } } }
}`;

const PARTNERS: (keyof Demo)[] = ['aurora', 'tidewater', 'resonance', 'operations'];

describe('graphql-jit and graphql-js give the same answers', () => {
  const runCompiled = () => compiledExecutor(setup.gateway.schema, { executionsBeforeCompiling: 0 });

  it.each(PARTNERS)('the catalog with nested rights, consent history and directives, as %s', async (partner) => {
    const document = parse(CATALOG);
    for (const variableValues of [
      { first: 20, withShares: true, skipArtists: false },
      { first: 5, withShares: false, skipArtists: true },
    ]) {
      const interpreted = await execute({ schema: setup.gateway.schema, document, contextValue: await contextOf(partner), variableValues });
      const compiled = await runCompiled()({ document, contextValue: await contextOf(partner), variableValues });
      // graphql-js builds null-prototype objects, graphql-jit plain ones: proof that the compiled path ran.
      expect(Object.getPrototypeOf(compiled.data)).toBe(Object.prototype);
      expect(asSeen(compiled)).toEqual(asSeen(interpreted));
      expect(asSeen(interpreted).data.works.edges.length).toBeGreaterThan(0);
    }
  });

  it.each(PARTNERS)('nodes by id through the Node interface, and a bad id, as %s', async (partner) => {
    const document = parse(NODES);
    const [work] = (await setup.db.dataSource.query(`SELECT id FROM work ORDER BY isrc LIMIT 1`)) as { id: string }[];
    const variableValues = {
      work: Buffer.from(`Work:${work.id}`).toString('base64url'),
      partner: demo.meridian.globalId,
    };
    const interpreted = await execute({ schema: setup.gateway.schema, document, contextValue: await contextOf(partner), variableValues });
    const compiled = await runCompiled()({ document, contextValue: await contextOf(partner), variableValues });
    expect(asSeen(compiled)).toEqual(asSeen(interpreted));
    expect(compiled.errors).toContainEqual(expect.objectContaining({ path: ['malformed'], originalError: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }));
  });

  it('a refusal on a non-null field nulls its parent up to the data, as graphql-js does, and writes nothing', async () => {
    const document = parse(`{ viewer { name } consentDecisions(isrcs: ["QZAUR2600001"], use: TRAINING, territory: "FR") { decisionId } }`);
    const before = await setup.db.dataSource.query(`SELECT count(*)::int AS n FROM decision_batch`);
    const interpreted = await execute({ schema: setup.gateway.schema, document, contextValue: await contextOf('aurora') });
    const compiled = await runCompiled()({ document, contextValue: await contextOf('aurora') });
    expect(compiled.data).toBeNull();
    expect(asSeen(compiled)).toEqual(asSeen(interpreted));
    expect(compiled.errors).toEqual([expect.objectContaining({ path: ['consentDecisions'], originalError: expect.objectContaining({ code: 'FORBIDDEN' }) })]);
    expect(await setup.db.dataSource.query(`SELECT count(*)::int AS n FROM decision_batch`)).toEqual(before);
  });

  it('error locations in a document with CRLF and CR line breaks', async () => {
    const document = parse('{\r\n  works(first: 2) {\r  edges {\n node { isrc rightsholders { shareBps } } } } }');
    const interpreted = await execute({ schema: setup.gateway.schema, document, contextValue: await contextOf('resonance') });
    const compiled = await runCompiled()({ document, contextValue: await contextOf('resonance') });
    expect(asSeen(compiled)).toEqual(asSeen(interpreted));
    expect(compiled.errors?.[0].locations).toEqual([{ line: 4, column: expect.any(Number) }]);
  });

  it('introspection', async () => {
    const document = parse(INTROSPECTION);
    const interpreted = await execute({ schema: setup.gateway.schema, document, contextValue: await contextOf('resonance') });
    const compiled = await runCompiled()({ document, contextValue: await contextOf('resonance') });
    expect(asSeen(compiled)).toEqual(asSeen(interpreted));
  });

  it('bad variables are reported as graphql-js reports them, and nothing runs', async () => {
    const document = parse(`query($isrcs: [ISRC!]!) { consentDecisions(isrcs: $isrcs, use: TRAINING, territory: "FR") { decisionId } }`);
    const variableValues = { isrcs: ['QZAUR2600001', 42] };
    const before = await setup.db.dataSource.query(`SELECT count(*)::int AS n FROM decision_batch`);
    const interpreted = await execute({ schema: setup.gateway.schema, document, contextValue: await contextOf('resonance'), variableValues });
    const compiled = await runCompiled()({ document, contextValue: await contextOf('resonance'), variableValues });
    expect(compiled.data).toBeUndefined();
    expect(asSeen(compiled)).toEqual(asSeen(interpreted));
    expect(compiled.errors![0].message).toMatch(/^Variable "\$isrcs" got invalid value 42 at "isrcs\[1\]"/);
    expect(await setup.db.dataSource.query(`SELECT count(*)::int AS n FROM decision_batch`)).toEqual(before);
  });
});

/** Fragments on Partner, each reaching the next through a mandate's label and distributor: 2^levels paths. */
function fragmentChain(levels: number): string {
  const fragments = Array.from(
    { length: levels },
    (_, i) => `fragment F${i} on Partner { id name mandates { id label { ...F${i + 1} } distributor { ...F${i + 1} } } }`,
  );
  return [`{ viewer { ...F0 } }`, ...fragments, `fragment F${levels} on Partner { id }`].join('\n');
}

describe('documents too large to compile', () => {
  const runCompiled = () => compiledExecutor(setup.gateway.schema, { executionsBeforeCompiling: 0 });

  it(`an operation of more than ${MAX_COMPILED_FIELDS} fields, fragments expanded, runs under graphql-js every time`, async () => {
    const document = parse(fragmentChain(6));
    const run = runCompiled();
    for (let i = 0; i < 2; i += 1) {
      const compiled = await run({ document, contextValue: await contextOf('aurora') });
      // graphql-js builds null-prototype objects: it was not compiled.
      expect(Object.getPrototypeOf(compiled.data)).toBeNull();
      const interpreted = await execute({ schema: setup.gateway.schema, document, contextValue: await contextOf('aurora') });
      expect(asSeen(compiled)).toEqual(asSeen(interpreted));
    }
  });

  it('counting stops at the limit: a short document of 2^40 expanded paths is answered, not compiled', async () => {
    // Counting or compiling every path would not end before the test's timeout. An AI partner may not
    // read mandates, so graphql-js has nothing to expand.
    const document = parse(fragmentChain(40));
    const result = await runCompiled()({ document, contextValue: await contextOf('resonance') });
    expect(Object.getPrototypeOf(result.data)).toBeNull();
    expect(result.data).toEqual({ viewer: expect.objectContaining({ name: 'Resonance AI', mandates: null }) });
  });
});

describe('over HTTP, where the gateway compiles a document on its second execution', () => {
  it('a field a partner may not read is null with FORBIDDEN at its path and location, the first time and the next', async () => {
    const query = `{ works(first: 3) { edges { node { isrc rightsholders { shareBps label { name } } } } } }`;
    const answers = [];
    for (let i = 0; i < 3; i += 1) answers.push(await setup.gateway.request(demo.resonance.token, query));
    const seen = (body: Json) => ({ data: body.data, errors: body.errors.map((error: Json) => JSON.stringify(error)).sort() });
    for (const { status, body } of answers) {
      expect(status).toBe(200);
      expect(seen(body)).toEqual(seen(answers[0].body));
    }
    const { body } = answers[0];
    expect(body.data.works.edges.length).toBeGreaterThan(0);
    expect(body.errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' }, locations: [{ line: 1, column: expect.any(Number) }] });
    expect(body.errors[0].path).toEqual(['works', 'edges', 0, 'node', 'rightsholders', 0, 'shareBps']);
  });
});

describe('over HTTP, a query with errors', () => {
  // A query with errors is handed to Apollo's gateway path, which formats its errors, with the result
  // already computed: its resolvers must not run a second time.
  it('a decision next to a failing field is answered, recorded once, and the error has its code', async () => {
    const query = `{
      consentDecisions(isrcs: ["QZAUR2600001"], use: TRAINING, territory: "FR") { decisionId }
      works(first: 1) { edges { node { rightsholders { shareBps } } } }
    }`;
    for (let i = 0; i < 3; i += 1) {
      const [{ n: before }] = await setup.db.dataSource.query(`SELECT count(*)::int AS n FROM decision_batch`);
      const { status, body } = await setup.gateway.request(demo.resonance.token, query);
      expect(status).toBe(200);
      expect(body.errors).toEqual([
        expect.objectContaining({ path: ['works', 'edges', 0, 'node', 'rightsholders', 0, 'shareBps'], extensions: expect.objectContaining({ code: 'FORBIDDEN' }) }),
      ]);
      const [{ n: after }] = await setup.db.dataSource.query(`SELECT count(*)::int AS n FROM decision_batch`);
      expect(after).toBe(before + 1);
      const decisionId = idOf('DecisionBatch', body.data.consentDecisions.decisionId, 'decisionId');
      expect(await setup.db.dataSource.query(`SELECT 1 FROM decision_batch WHERE id = $1`, [decisionId])).toHaveLength(1);
    }
  });
});
