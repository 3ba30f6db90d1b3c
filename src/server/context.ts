import type { Logger } from 'pino';
import { createAgreementLoaders, type AgreementLoaders } from '../agreements/agreements.loaders';
import type { Viewer } from '../auth/viewer';
import { createCompensationLoaders, type CompensationLoaders } from '../compensation/compensation.loaders';
import { createConsentLoaders, type ConsentLoaders } from '../consent/consent.loaders';
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
  agreements: AgreementLoaders;
  partners: PartnerLoaders;
  works: WorkLoaders;
  consent: ConsentLoaders;
  compensation: CompensationLoaders;
}

export function createLoaders(viewer: Viewer, services: Services): Loaders {
  return {
    agreements: createAgreementLoaders(viewer, services.agreements),
    partners: createPartnerLoaders(viewer, services.partners),
    works: createWorkLoaders(viewer, services.works),
    consent: createConsentLoaders(viewer, services.consent),
    compensation: createCompensationLoaders(viewer, services.usage),
  };
}
