import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from '@apollo/server/plugin/landingPage/default';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { specifiedRules, type GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { TokenVerifier } from '../auth/jwt';
import type { Settings } from '../config';
import { ReceiptSigner } from '../decisions/receipt';
import { ChangeHub } from '../events/change-hub';
import { startOutboxRetention } from '../events/outbox-retention';
import { compiledExecution } from './compiled-execution';
import type { RequestContext } from './context';
import { contextFactory } from './context-factory';
import { formatError } from './format-error';
import { CostBudget } from './cost-budget';
import { introspectionGuard } from './introspection-guard';
import { operationCost } from './operation-cost';
import { OperationSafelists } from './operation-safelist';
import { QUERY_LIMITS, queryLimits } from './query-limits';
import { errorLogging } from './error-logging';
import { httpErrors, notFound } from './http-errors';
import { HttpShutdown } from './http-shutdown';
import { expressHttpServer } from './express-http-server';
import { requestScope } from './request-scope';
import { buildAccordSchema } from './schema';
import { createServices } from './services';
import { statementsCsvRoute } from './statements-route';
import { storableStringLiterals, storableVariables } from './storable-inputs';
import { startSubscriptionServer } from './subscription-server';

export interface Gateway {
  url: string;
  httpServer: http.Server;
  schema: GraphQLSchema;
  close(): Promise<void>;
}

export interface GatewayOptions {
  dataSource: DataSource;
  settings: Settings;
  logger: Logger;
}

/**
 * CSRF: a browser sends a cross-origin request carrying any of these headers only after a CORS
 * preflight, so such a request cannot be forged by a simple form or <img>. `authorization` is on the
 * list because every Accord request carries a bearer token.
 */
const CSRF_SAFE_HEADERS = ['authorization', 'x-apollo-operation-name', 'apollo-require-preflight'];

export async function startGateway({ dataSource, settings, logger }: GatewayOptions): Promise<Gateway> {
  const schema = await buildAccordSchema();
  const receiptSigner = new ReceiptSigner(settings.receipt);
  const services = createServices(dataSource, receiptSigner, settings.jwt.issuer);
  const verifier = new TokenVerifier(settings.jwt);
  const app = express();
  app.disable('x-powered-by');
  // Express hashes every response body for an ETag, POST included; GraphQL answers are never revalidated,
  // and hashing 10,000 decisions took ~2.5 ms.
  app.set('etag', false);
  const httpServer = expressHttpServer(app);
  const shutdown = new HttpShutdown();

  const plugins: ApolloServerPlugin<RequestContext>[] = [
    ApolloServerPluginDrainHttpServer({ httpServer }),
    // Cache hints are unused here and the default plugin costs a large share of throughput on big lists.
    ApolloServerPluginCacheControlDisabled(),
    settings.production
      ? ApolloServerPluginLandingPageProductionDefault({ footer: false })
      : ApolloServerPluginLandingPageLocalDefault({ footer: false, embed: true }),
    errorLogging(),
    storableVariables(),
    operationCost(new CostBudget(dataSource, settings.costBudgetPerMinute), QUERY_LIMITS.maxCost),
  ];
  if (settings.production) plugins.push(introspectionGuard());
  const execution = compiledExecution<RequestContext>(schema, (context) => context.answerGate.settle());
  // It executes queries in responseForOperation and must be the only plugin answering there: one placed
  // after it could discard a query that has run (a decision batch recorded and never answered). Successful
  // queries never reach executionDidStart: a tracing or usage-reporting plugin would not see them.
  plugins.push(execution.plugin);
  const limits = queryLimits();
  const validationRules = [...limits.validationRules, storableStringLiterals];
  const safelists = await OperationSafelists.load({
    directory: settings.operationSafelistDir,
    schema,
    validationRules: [...specifiedRules, ...validationRules],
    maxTokens: QUERY_LIMITS.maxTokens,
    dataSource,
    logger,
  });
  const apollo = new ApolloServer<RequestContext>({
    gateway: execution.gateway,
    plugins: [...plugins, ...(limits.plugins as ApolloServerPlugin<RequestContext>[])],
    validationRules,
    parseOptions: { maxTokens: QUERY_LIMITS.maxTokens },
    persistedQueries: { cache: safelists.persistedQueryCache() },
    formatError,
    csrfPrevention: { requestHeaders: CSRF_SAFE_HEADERS },
    introspection: true,
    hideSchemaDetailsFromClientErrors: settings.production,
    includeStacktraceInErrorResponses: false,
    // The process's signal handler closes the gateway in its own order (see close()); Apollo's would
    // stop HTTP first, and a second stop() then waits for ever.
    stopOnTerminationSignals: false,
    logger,
  });
  await apollo.start();

  app.use(shutdown.middleware);
  app.use(requestScope);
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    try {
      await dataSource.query('SELECT 1');
      const pending = await dataSource.showMigrations();
      res.status(pending ? 503 : 200).json({ status: pending ? 'migrations pending' : 'ready' });
    } catch {
      res.status(503).json({ status: 'database unreachable' });
    }
  });
  // The public key of decision receipts, for anyone to verify a receipt an AI partner shows them.
  app.get('/.well-known/jwks.json', (_req, res) => {
    res.set('cache-control', 'public, max-age=300').json(receiptSigner.jwks());
  });
  app.use(
    '/graphql',
    express.json({ limit: settings.bodyLimit }),
    expressMiddleware(apollo, { context: contextFactory(verifier, services, safelists, logger) }),
  );
  app.get('/statements.csv', statementsCsvRoute(verifier, services, safelists));
  app.use(notFound);
  app.use(httpErrors(logger));

  const changes = settings.changes;
  const hub = new ChangeHub({
    dataSource,
    logger,
    loadViewer: (partnerId) => services.partners.loadViewer(partnerId),
    bufferLimit: changes.subscriberBufferEvents,
    viewerRefreshMs: changes.viewerRefreshMs,
    pollIntervalMs: changes.feedPollMs,
  });
  await hub.start();
  const subscriptions = startSubscriptionServer({
    httpServer,
    path: '/graphql',
    schema,
    hub,
    verifier,
    services,
    safelists,
    logger,
    production: settings.production,
  });
  const retention = startOutboxRetention(dataSource, {
    retentionHours: changes.retentionHours,
    intervalMs: changes.pruneIntervalMs,
    logger,
  });

  await new Promise<void>((resolve) => httpServer.listen(settings.port, settings.host, resolve));
  const { port } = httpServer.address() as AddressInfo;
  const url = `http://${settings.host === '0.0.0.0' ? 'localhost' : settings.host}:${port}/graphql`;
  return {
    url,
    httpServer,
    schema,
    async close() {
      // New HTTP requests are refused at once; then sockets (they hold sessions the hub feeds), the feed's
      // connection, and HTTP, which lets the requests in flight finish.
      shutdown.begin();
      await retention.stop();
      await subscriptions.close();
      await hub.stop();
      await apollo.stop();
    },
  };
}
