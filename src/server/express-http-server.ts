import http from 'node:http';
import type { Express } from 'express';

/**
 * The HTTP server for an Express app, creating each request and response with the app's own prototypes.
 *
 * Express 5 gives every request and response the app's prototypes as it takes them
 * (`Object.setPrototypeOf` in `app.handle`). On V8 a request re-parented that way, and all it reaches,
 * survived young-generation collections long after its answer: each collection copied and promoted
 * megabytes and stopped the event loop for 10–40 ms every few requests, where a plain `node:http` server
 * copies a few hundred bytes (BENCHMARKS.md, "Garbage collection"). Created with those prototypes,
 * Express's re-parenting sets the prototype an object already has, which changes nothing; an app with one
 * route then kept about a third of what it kept before, not nothing.
 */
export function expressHttpServer(app: Express): http.Server {
  function AppRequest(...args: ConstructorParameters<typeof http.IncomingMessage>): http.IncomingMessage {
    return Reflect.construct(http.IncomingMessage, args, AppRequest) as http.IncomingMessage;
  }
  AppRequest.prototype = app.request;
  function AppResponse(...args: ConstructorParameters<typeof http.ServerResponse>): http.ServerResponse {
    return Reflect.construct(http.ServerResponse, args, AppResponse) as http.ServerResponse;
  }
  AppResponse.prototype = app.response;
  return http.createServer(
    {
      // Node calls them with `new`; Reflect.construct builds the object with the function's prototype.
      IncomingMessage: AppRequest as unknown as typeof http.IncomingMessage,
      ServerResponse: AppResponse as unknown as typeof http.ServerResponse,
    },
    app,
  );
}
