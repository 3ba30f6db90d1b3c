import { startDemoGateway, stopDemoGateway, type DemoGateway } from '../support/demo-gateway';

let started: DemoGateway;

beforeAll(async () => {
  started = await startDemoGateway({ production: true });
});
afterAll(() => stopDemoGateway(started));

const INTROSPECT = '{ __schema { queryType { name } } }';

describe('introspection in production', () => {
  it('is refused to partners, every time they ask, and nothing else runs', async () => {
    const { gateway, demo } = started;
    for (const token of [demo.resonance.token, demo.aurora.token, demo.resonance.token]) {
      const { body } = await gateway.request(token, `query Peek ${INTROSPECT}`);
      expect(body.data).toBeUndefined();
      expect(body.errors).toEqual([expect.objectContaining({ extensions: { code: 'FORBIDDEN' } })]);
    }
  });

  it('is open to internal tools, and ordinary operations of partners are not affected', async () => {
    const { gateway, demo } = started;
    const internal = await gateway.request(demo.operations.token, `query Peek ${INTROSPECT}`);
    expect(internal.body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } }, extensions: expect.anything() });
    const partner = await gateway.request(demo.resonance.token, '{ viewer { name } }');
    expect(partner.body.data).toEqual({ viewer: { name: 'Resonance AI' } });
  });
});
