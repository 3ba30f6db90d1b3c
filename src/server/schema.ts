import { DateTimeResolver } from 'graphql-scalars';
import type { GraphQLSchema } from 'graphql';
import { buildSchema, type PubSub } from 'type-graphql';
import {
  AgreementHistoryResolver,
  AgreementResolver,
  AgreementTermsResolver,
} from '../agreements/agreements.resolver';
import { enforcePolicy } from '../auth/policy';
import { StatementResolver, UsageReportResolver } from '../compensation/compensation.resolver';
import { ArtistConsentResolver, ConsentResolver, WorkConsentResolver } from '../consent/consent.resolver';
import { DecisionsResolver } from '../decisions/decisions.resolver';
import { ChangesResolver } from '../events/changes.resolver';
import { MandateResolver, PartnerResolver } from '../partners/partners.resolver';
import { RightShareResolver, WorkResolver } from '../works/works.resolver';
import { NodeResolver } from './node.resolver';

export const resolvers = [
  NodeResolver,
  PartnerResolver,
  MandateResolver,
  WorkResolver,
  RightShareResolver,
  AgreementResolver,
  AgreementTermsResolver,
  AgreementHistoryResolver,
  ConsentResolver,
  WorkConsentResolver,
  ArtistConsentResolver,
  DecisionsResolver,
  UsageReportResolver,
  StatementResolver,
  ChangesResolver,
] as const;

/**
 * type-graphql refuses subscriptions without a PubSub, even when each declares its own `subscribe` as
 * Accord's do (events come from the outbox, not from topics). Reaching this is a bug.
 */
const NO_TOPICS: PubSub = {
  publish() {
    throw new Error('Accord subscriptions are fed by the outbox; there are no pub/sub topics');
  },
  subscribe() {
    throw new Error('Accord subscriptions are fed by the outbox; there are no pub/sub topics');
  },
};

/** The executable schema: built from the code, with every field's authorization rule applied. */
export async function buildAccordSchema(): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers,
    scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
    pubSub: NO_TOPICS,
    validate: false,
  });
  return enforcePolicy(schema);
}
