import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { getOperationAST, GraphQLError, parse, specifiedRules, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { CloseCode, type Context, type SubscribePayload } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import { parseBearer, type TokenVerifier } from '../auth/jwt';
import { AuthenticationError, BadInputError, ForbiddenError } from '../common/errors';
import type { ChangeHub } from '../events/change-hub';
import { closeReason, SubscriberCloseCode } from '../events/close-codes';
import type { SubscriberSession } from '../events/subscriber-session';
import { AnswerGate } from './answer-gate';
import { authenticate } from './authenticate';
import { CoalescingWebSocket } from './coalescing-socket';
import { createLoaders, type RequestContext } from './context';
import { formatError, isInternalError, toGraphQLError } from './format-error';
import { sha256Of, type OperationSafelists } from './operation-safelist';
import { withRequestId } from './request-scope';
import { storableStringLiterals, unstorableVariablesError } from './storable-inputs';
import type { Services } from './services';
import { subscribeSharingResults } from './shared-execution';

export interface SubscriptionServerOptions {
  httpServer: http.Server;
  path: string;
  schema: GraphQLSchema;
  hub: ChangeHub;
  verifier: TokenVerifier;
  services: Services;
  safelists: OperationSafelists;
  logger: Logger;
  production: boolean;
}

/** How long sockets get to answer the shutdown close before they are cut. */
const CLOSE_GRACE_MS = 2_000;

/** The token of a connection_init payload: `{ authorization: "Bearer <token>" }` or `{ token }`. */
function tokenOf(params: Readonly<Record<string, unknown>> | undefined): string {
  const { authorization, token } = params ?? {};
  if (typeof authorization === 'string') {
    const bearer = parseBearer(authorization);
    if (bearer) return bearer;
  }
  if (typeof token === 'string' && token) return token;
  throw new AuthenticationError('missing token: send { "authorization": "Bearer <token>" } in connection_init');
}

function clientMistake(error: GraphQLError, reason: string): GraphQLError {
  return new GraphQLError(error.message, { nodes: error.nodes, source: error.source, positions: error.positions, extensions: { code: reason } });
}

/**
 * graphql-ws on the gateway's own port and path. connection_init must carry a valid token (else the
 * socket is closed with 4401, or 4403 for a suspended partner); the session it opens then closes the
 * socket when the token expires or the partner is suspended. WebSocket carries subscriptions only:
 * queries and mutations go over HTTP, where every other protection of the gateway applies. A partner
 * held to a safelist subscribes with its listed documents only, as over HTTP. Errors leave through the
 * same formatError as over HTTP.
 */
export function startSubscriptionServer(options: SubscriptionServerOptions): { close(): Promise<void> } {
  const { schema, hub, verifier, services, safelists, logger } = options;
  const wsServer = new WebSocketServer({ server: options.httpServer, path: options.path, WebSocket: CoalescingWebSocket });
  wsServer.on('connection', (socket: CoalescingWebSocket, request) => socket.coalesceOn(request.socket));
  const sessions = new WeakMap<Context, SubscriberSession>();

  const format = (errors: readonly GraphQLError[], requestId: string) =>
    withRequestId(requestId, () =>
      errors.map((error) => {
        if (isInternalError(error)) logger.error({ err: error.originalError ?? error, requestId, path: error.path }, 'subscription failed');
        if (options.production) error.message = error.message.replace(/ ?Did you mean(.+?)\?$/, '');
        return formatError(error.toJSON(), error);
      }),
    );

  const prepare = (session: SubscriberSession, id: string, payload: SubscribePayload) => {
    // As over HTTP: a restricted partner's unlisted document is refused before it is parsed.
    const refusal = safelists.refusal(session.viewer.partnerId, () => sha256Of(payload.query));
    if (refusal) return [toGraphQLError(refusal)];
    let document: DocumentNode;
    try {
      document = parse(payload.query);
    } catch (error) {
      return [clientMistake(error as GraphQLError, 'GRAPHQL_PARSE_FAILED')];
    }
    const invalid = validate(schema, document, [...specifiedRules, storableStringLiterals]);
    if (invalid.length > 0) return invalid.map((error) => clientMistake(error, 'GRAPHQL_VALIDATION_FAILED'));
    const unstorable = unstorableVariablesError(payload.variables);
    if (unstorable) return [unstorable];
    const operation = getOperationAST(document, payload.operationName);
    if (operation?.operation !== 'subscription') {
      return [toGraphQLError(new BadInputError('over WebSocket only subscriptions are served; send queries and mutations by HTTP POST to the same URL'))];
    }
    const requestId = randomUUID();
    const context: RequestContext = {
      requestId,
      // The session's viewer as last reloaded, so rules follow mandate changes while the socket is open.
      get viewer() {
        return session.viewer;
      },
      services,
      loaders: createLoaders(session.viewer, services),
      logger: logger.child({ requestId, partnerId: session.viewer.partnerId }),
      answerGate: new AnswerGate(),
      subscription: { session, operationId: id },
    };
    return { schema, document, operationName: payload.operationName, variableValues: payload.variables, contextValue: context };
  };

  const server = useServer(
    {
      schema,
      subscribe: subscribeSharingResults(),
      onConnect: async (ctx) => {
        const { socket } = ctx.extra;
        try {
          const { viewer, expiresAt } = await authenticate(verifier, services, tokenOf(ctx.connectionParams));
          if (socket.readyState !== socket.OPEN) return false;
          sessions.set(ctx, hub.connect(viewer, expiresAt, (code, reason) => socket.close(code, reason)));
          return true;
        } catch (error) {
          // Closing here with our code and reason; graphql-ws's own 4403 that follows is then ignored.
          if (error instanceof AuthenticationError) socket.close(SubscriberCloseCode.UNAUTHORIZED, closeReason(error.message));
          else if (error instanceof ForbiddenError) socket.close(SubscriberCloseCode.FORBIDDEN, closeReason(error.message));
          else {
            logger.error({ err: error }, 'subscription connection failed');
            socket.close(CloseCode.InternalServerError, 'Internal server error');
          }
          return false;
        }
      },
      onClose: (ctx) => sessions.get(ctx)?.dispose(),
      onSubscribe: (ctx, id, payload) => prepare(sessions.get(ctx)!, id, payload),
      onNext: (ctx, id, _payload, args, result) => {
        sessions.get(ctx)?.sent(id);
        if (!result.errors) return;
        return { ...result, errors: format(result.errors, (args.contextValue as RequestContext).requestId) };
      },
      onError: (_ctx, _id, _payload, errors) => format(errors, randomUUID()),
    },
    wsServer,
  );

  return {
    async close() {
      const cut = setTimeout(() => wsServer.clients.forEach((socket) => socket.terminate()), CLOSE_GRACE_MS);
      await server.dispose();
      clearTimeout(cut);
    },
  };
}
