import type { Logger } from 'pino';
import type { Viewer } from '../auth/viewer';
import type { SubscriberSession } from '../events/subscriber-session';
import { createPartnerLoaders, type PartnerLoaders } from '../partners/partners.loaders';
import { createWorkLoaders, type WorkLoaders } from '../works/works.loaders';
import type { Services } from './services';

/** Built once per request, before any resolver runs; everything request-scoped lives here. */
export interface RequestContext {
  requestId: string;
  viewer: Viewer;
  services: Services;
  loaders: Loaders;
  logger: Logger;
  /** WebSocket operations only: the socket's session and the graphql-ws operation id. */
  subscription?: { session: SubscriberSession; operationId: string };
}

export interface Loaders {
  partners: PartnerLoaders;
  works: WorkLoaders;
}

export function createLoaders(viewer: Viewer, services: Services): Loaders {
  return {
    partners: createPartnerLoaders(viewer, services.partners),
    works: createWorkLoaders(viewer, services.works),
  };
}
