import { DateTimeResolver } from 'graphql-scalars';
import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import {
  AgreementHistoryResolver,
  AgreementResolver,
  AgreementTermsResolver,
} from '../agreements/agreements.resolver';
import { enforcePolicy } from '../auth/policy';
import { StatementResolver, UsageReportResolver } from '../compensation/compensation.resolver';
import { ArtistConsentResolver, ConsentResolver, WorkConsentResolver } from '../consent/consent.resolver';
import { DecisionsResolver } from '../decisions/decisions.resolver';
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
] as const;

/** The executable schema: built from the code, with every field's authorization rule applied. */
export async function buildAccordSchema(): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers,
    scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
    validate: false,
  });
  return enforcePolicy(schema);
}
