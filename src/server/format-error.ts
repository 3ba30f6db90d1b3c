import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { DomainError, ERROR_CODES, ErrorCode } from '../common/errors';
import { isTokenLimitError } from './query-limits';
import { currentRequest } from './request-scope';

/**
 * The one place where errors become what a partner sees. Every error leaves with an `extensions.code`
 * from the closed list in DESIGN.md; anything unexpected (a database error, a bug) leaves as
 * INTERNAL_SERVER_ERROR with no message, SQL or stack, and the request id under which it was logged.
 */

/** HTTP status for errors raised before execution (authentication); partial results are always 200. */
export function httpStatusOf(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.UNAUTHENTICATED:
      return 401;
    case ErrorCode.FORBIDDEN:
      return 403;
    case ErrorCode.NOT_FOUND:
      return 404;
    case ErrorCode.BAD_USER_INPUT:
    case ErrorCode.QUERY_TOO_COMPLEX:
      return 400;
    case ErrorCode.CONFLICT:
    case ErrorCode.INVALID_TRANSITION:
    case ErrorCode.IDEMPOTENCY_KEY_REUSED:
      return 409;
    case ErrorCode.RATE_LIMITED:
      return 429;
    case ErrorCode.INTERNAL_SERVER_ERROR:
      return 500;
    default: {
      const unhandled: never = code;
      throw new Error(`no HTTP status for ${String(unhandled)}`);
    }
  }
}

/** A GraphQLError for a domain error raised outside a resolver (context creation, plugins). */
export function toGraphQLError(error: DomainError): GraphQLError {
  return new GraphQLError(error.message, {
    originalError: error,
    extensions: { code: error.code, ...error.details, http: { status: httpStatusOf(error.code) } },
  });
}

/** Request-level failures graphql-js and Apollo raise themselves: the client's document or variables. */
const CLIENT_MISTAKES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/** Whether a partner is shown this error as INTERNAL_SERVER_ERROR: a failure of ours, worth logging, not their mistake. */
export function isInternalError(error: GraphQLError): boolean {
  return formatError(error.toJSON(), error).extensions?.code === ErrorCode.INTERNAL_SERVER_ERROR;
}

export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const base = { message: formatted.message, locations: formatted.locations, path: formatted.path };
  // Raised in a resolver, or wrapped by toGraphQLError in the context or a plugin.
  const domain = original instanceof GraphQLError ? original.originalError : original;
  if (domain instanceof DomainError) {
    return { ...base, message: domain.message, extensions: { ...domain.details, code: domain.code } };
  }
  const cause = error instanceof GraphQLError ? (error.originalError ?? error) : undefined;
  if (cause instanceof GraphQLError && (cause.extensions.code === ErrorCode.QUERY_TOO_COMPLEX || isTokenLimitError(cause))) {
    return { ...base, message: cause.message, extensions: { code: ErrorCode.QUERY_TOO_COMPLEX } };
  }
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR) {
    return { ...base, extensions: { code } };
  }
  if (typeof code === 'string' && CLIENT_MISTAKES.has(code)) {
    return { ...base, extensions: { code: ErrorCode.BAD_USER_INPUT, reason: code } };
  }
  // A scalar's parse error inside a resolver-less path (e.g. an ISRC literal) carries no code but is the client's.
  if (error instanceof GraphQLError && !error.originalError && !error.path) {
    return { ...base, extensions: { code: ErrorCode.BAD_USER_INPUT } };
  }
  return {
    message: 'Internal server error',
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, requestId: currentRequest()?.requestId },
  };
}
