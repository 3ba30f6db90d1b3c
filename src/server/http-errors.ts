import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { ErrorCode } from '../common/errors';
import { currentRequest } from './request-scope';

interface HttpError extends Error {
  status?: number;
  type?: string;
}

/** body-parser's refusals by type; anything else it refuses is a body that does not parse. */
const CLIENT_ERROR_MESSAGES: Record<string, string> = {
  'entity.too.large': 'request body is too large',
  'charset.unsupported': 'request body must be UTF-8 JSON: unsupported charset',
  'encoding.unsupported': 'request body must be sent without compression or with gzip, deflate or br',
};

/**
 * Last Express handler: errors outside GraphQL (a malformed or oversized body, a bug in a route)
 * answer with the same error shape as GraphQL, never an HTML page or a stack trace.
 */
export function httpErrors(logger: Logger) {
  return (error: HttpError, _req: Request, res: Response, _next: NextFunction): void => {
    const requestId = currentRequest()?.requestId;
    const status = error.status && error.status >= 400 && error.status < 500 ? error.status : 500;
    if (status === 500) {
      logger.error({ err: error, requestId }, 'request failed');
      res.status(500).json({ errors: [{ message: 'Internal server error', extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, requestId } }] });
      return;
    }
    const message = CLIENT_ERROR_MESSAGES[error.type ?? ''] ?? 'request body is not valid JSON';
    res.status(status).json({ errors: [{ message, extensions: { code: ErrorCode.BAD_USER_INPUT } }] });
  };
}

/** Before httpErrors: a path Accord does not serve answers in the same shape, not Express's HTML page. */
export function notFound(req: Request, res: Response): void {
  res.status(404).json({
    errors: [{ message: `${req.method} ${req.path}: nothing here; GraphQL is served at /graphql`, extensions: { code: ErrorCode.NOT_FOUND } }],
  });
}
