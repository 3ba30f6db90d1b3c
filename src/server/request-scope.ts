import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

/** The request id, reachable from code that is not handed the request (error formatting, logging). */
interface RequestScope {
  requestId: string;
}

const storage = new AsyncLocalStorage<RequestScope>();

export function currentRequest(): RequestScope | undefined {
  return storage.getStore();
}

/** Runs work (error formatting, logging) under a request id outside Express: WebSocket operations. */
export function withRequestId<T>(requestId: string, work: () => T): T {
  return storage.run({ requestId }, work);
}

const CLIENT_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Uses the caller's `X-Request-Id` when it is sane, else a new one, and echoes it in the response. */
export function requestScope(req: Request, res: Response, next: NextFunction): void {
  const offered = req.header('x-request-id');
  const requestId = offered && CLIENT_REQUEST_ID.test(offered) ? offered : randomUUID();
  res.setHeader('x-request-id', requestId);
  storage.run({ requestId }, next);
}
