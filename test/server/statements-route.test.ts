import type { TestDatabase } from '../support/database';
import { startDemoGateway, stopDemoGateway } from '../support/demo-gateway';
import type { Demo } from '../support/demo';
import type { TestGateway } from '../support/gateway';

let db: TestDatabase;
let gateway: TestGateway;
let demo: Demo;

beforeAll(async () => ({ db, gateway, demo } = await startDemoGateway()));
afterAll(() => stopDemoGateway({ db, gateway }));

describe('GET /statements.csv', () => {
  const get = (query: string) => fetch(`${gateway.origin}/statements.csv?${query}`, { headers: { authorization: `Bearer ${demo.aurora.token}` } });

  it('refuses parameters it would otherwise misread or ignore (found by fuzzing), with BAD_USER_INPUT naming them', async () => {
    const cases: [string, string][] = [
      ['period=2026-11&currency=EUR&kind=toString', 'kind'],
      ['period=2026-11&currency=EUR&kind=__proto__', 'kind'],
      ['period=2026-11&currency=EUR&partner[a]=1', 'partner[a]'],
      ['period=2026-11&currency=EUR&parnter=x', 'parnter'],
      ['period=2026-11&currency=EUR&kind=PAYABLE&kind=RECEIVABLE', 'kind'],
      ['period=2026-11&currency=EUR&agreement=%00', 'agreement'],
    ];
    for (const [query, field] of cases) {
      const response = await get(query);
      expect({ query, status: response.status }).toEqual({ query, status: 400 });
      const body = (await response.json()) as { errors: { extensions: { code: string; field: string } }[] };
      expect(body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
  });

  it('still answers a well-formed request', async () => {
    const response = await get('period=2026-11&currency=EUR&kind=RECEIVABLE');
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/^statement,partner_id,/);
  });
});
