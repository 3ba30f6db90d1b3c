import type { NextFunction, Request, Response } from 'express';
import { ErrorCode } from '../common/errors';

/**
 * Keep-alive connections through a shutdown. Apollo's drain closes the server and half-closes each
 * connection once its requests are done, but Node goes on reading it: a client that reused its
 * connection at that moment had the request run (a write committed) and got no answer. From the start
 * of a shutdown, the responses still to be written say `Connection: close`, and a request that arrives
 * anyway is not run: 503, to be sent again to another replica.
 */
export class HttpShutdown {
  private closing = false;
  private readonly inFlight = new Set<Response>();

  /** First of every route. */
  readonly middleware = (_req: Request, res: Response, next: NextFunction): void => {
    if (this.closing) {
      res
        .status(503)
        .set({ connection: 'close', 'retry-after': '0' })
        .json({
          errors: [
            {
              message: 'this replica is shutting down and ran nothing: send the request again',
              extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, reason: 'SHUTTING_DOWN' },
            },
          ],
        });
      return;
    }
    this.inFlight.add(res);
    res.once('close', () => this.inFlight.delete(res));
    next();
  };

  begin(): void {
    this.closing = true;
    for (const res of this.inFlight) if (!res.headersSent) res.setHeader('connection', 'close');
  }
}
