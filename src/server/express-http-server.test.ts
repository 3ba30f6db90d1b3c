import type { AddressInfo } from 'node:net';
import express from 'express';
import { expressHttpServer } from './express-http-server';

describe('expressHttpServer', () => {
  it("creates requests and responses with the app's prototypes, so Express has nothing to re-parent, and serves the app", async () => {
    const app = express();
    app.use(express.json());
    app.post('/echo', (req, res) => {
      res.set('x-seen', req.get('x-sent') ?? '').json({ body: req.body });
    });
    const server = expressHttpServer(app);
    const bornWith: boolean[] = [];
    // Runs before the app takes the request.
    server.prependListener('request', (req, res) => {
      bornWith.push(Object.getPrototypeOf(req) === app.request && Object.getPrototypeOf(res) === app.response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      for (let i = 0; i < 2; i += 1) {
        const response = await fetch(`http://127.0.0.1:${port}/echo`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-sent': `request ${i}` },
          body: JSON.stringify({ i }),
        });
        expect(response.status).toBe(200);
        expect(response.headers.get('x-seen')).toBe(`request ${i}`);
        expect(await response.json()).toEqual({ body: { i } });
      }
      expect(bornWith).toEqual([true, true]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
