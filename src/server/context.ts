import type { Logger } from 'pino';
import { createAgreementLoaders, type AgreementLoaders } from '../agreements/agreements.loaders';
import type { Viewer } from '../auth/viewer';
import { createCompensationLoaders, type CompensationLoaders } from '../compensation/compensation.loaders';
import { createConsentLoaders, type ConsentLoaders } from '../consent/consent.loaders';
import type { SubscriberSession } from '../events/subscriber-session';
import { createPartnerLoaders, type PartnerLoaders } from '../partners/partners.loaders';
import { createWorkLoaders, type WorkLoaders } from '../works/works.loaders';
import type { AnswerGate } from './answer-gate';
import type { Services } from './services';

/** Built once per request, before any resolver runs; everything request-scoped lives here. */
export interface RequestContext {
  requestId: string;
  viewer: Viewer;
  services: Services;
  loaders: Loaders;
  logger: Logger;
  /** Writes the answer waits for (see answer-gate.ts). Over WebSocket only subscriptions run, and they hold none. */
  answerGate: AnswerGate;
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

/**
 * Each module's loaders are made when a resolver first asks for them: most operations touch one or two
 * modules, and a request that asks only for decisions should not build thirteen DataLoaders.
 */
export function createLoaders(viewer: Viewer, services: Services): Loaders {
  let agreements: AgreementLoaders | undefined;
  let partners: PartnerLoaders | undefined;
  let works: WorkLoaders | undefined;
  let consent: ConsentLoaders | undefined;
  let compensation: CompensationLoaders | undefined;
  return {
    get agreements() {
      return (agreements ??= createAgreementLoaders(viewer, services.agreements));
    },
    get partners() {
      return (partners ??= createPartnerLoaders(viewer, services.partners));
    },
    get works() {
      return (works ??= createWorkLoaders(viewer, services.works));
    },
    get consent() {
      return (consent ??= createConsentLoaders(viewer, services.consent));
    },
    get compensation() {
      return (compensation ??= createCompensationLoaders(viewer, services.usage));
    },
  };
}
