import { ArgsType, Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { Allow, EVERY_PARTNER } from '../auth/policy';
import { PageArgs } from '../common/relay/connection';
import { IsrcScalar } from '../common/scalars/identifiers';
import { TerritoryScalar } from '../common/scalars/territory';
import { UseType } from '../common/use-type';

export const Decision = { ALLOW: 'ALLOW', DENY: 'DENY' } as const;
export type Decision = (typeof Decision)[keyof typeof Decision];

/** Every reason a use is denied; a decision lists all that apply, in this order. */
export const DecisionReason = {
  UNKNOWN_WORK: 'UNKNOWN_WORK',
  NO_AGREEMENT: 'NO_AGREEMENT',
  AGREEMENT_SUSPENDED: 'AGREEMENT_SUSPENDED',
  OUTSIDE_TERM: 'OUTSIDE_TERM',
  TERRITORY_EXCLUDED: 'TERRITORY_EXCLUDED',
  NO_CONSENT: 'NO_CONSENT',
  CONSENT_REFUSED: 'CONSENT_REFUSED',
  CONSENT_WITHDRAWN: 'CONSENT_WITHDRAWN',
} as const;
export type DecisionReason = (typeof DecisionReason)[keyof typeof DecisionReason];

registerEnumType(Decision, { name: 'Decision' });
registerEnumType(DecisionReason, {
  name: 'DecisionReason',
  valuesConfig: {
    UNKNOWN_WORK: { description: 'No work with this ISRC is registered.' },
    NO_AGREEMENT: {
      description:
        'A rights holder (named in rightsholdersWithoutAgreement) has no ACTIVE agreement with you that covers the work, use, territory and time.',
    },
    AGREEMENT_SUSPENDED: { description: 'An agreement that would otherwise apply is suspended.' },
    OUTSIDE_TERM: { description: "The time decided about is outside the term of an agreement that would otherwise apply (before it starts, or expired)." },
    TERRITORY_EXCLUDED: { description: 'The territory is not covered (not listed, or excluded) by an agreement that would otherwise apply.' },
    NO_CONSENT: { description: 'For some MAIN artist no consent in force covers this use and territory: no record means no.' },
    CONSENT_REFUSED: { description: 'The consent in force for the work or one of its MAIN artists is a refusal.' },
    CONSENT_WITHDRAWN: { description: 'The consent in force for the work or one of its MAIN artists has been withdrawn.' },
  },
});

/*
 * Decision types are open to every partner type at the field level on purpose: they are reachable only
 * through operations restricted to AI partners and internal, and a field open to every type costs
 * nothing per value in the policy module (these lists run to tens of thousands of values). They use
 * graphql-js's default resolver (simpleResolvers) for the same reason.
 */
@ObjectType({ simpleResolvers: true, description: 'May the AI partner use one work for the use, in the territory, at the time asked?' })
export class ConsentDecision {
  @Field(() => IsrcScalar, { description: 'As asked, normalized.' })
  @Allow(EVERY_PARTNER)
  isrc!: string;

  @Field(() => Decision)
  @Allow(EVERY_PARTNER)
  decision!: Decision;

  @Field(() => [DecisionReason], { description: 'Every reason that applies; empty exactly when the decision is ALLOW.' })
  @Allow(EVERY_PARTNER)
  reasons!: readonly DecisionReason[];

  @Field(() => [ID], { description: 'The rights holders (Partner ids, sorted) with which you have no agreement that applies.' })
  @Allow(EVERY_PARTNER)
  rightsholdersWithoutAgreement!: readonly string[];

  @Field(() => [ID], { description: 'The agreements (ids, sorted) that apply, one or more per rights holder that has one.' })
  @Allow(EVERY_PARTNER)
  agreements!: readonly string[];

  @Field(() => [ID], { description: 'The consent records (ids, sorted) that decided: one for the whole work, or one per MAIN artist.' })
  @Allow(EVERY_PARTNER)
  consentRecords!: readonly string[];
}

@ObjectType({ simpleResolvers: true, description: 'One batch of decisions, with the signed receipt that proves what was answered.' })
export class ConsentDecisionBatch {
  @Field(() => ID, { description: 'Cite it in usage reports.' })
  @Allow(EVERY_PARTNER)
  decisionId!: string;

  @Field(() => ID, { description: 'The AI partner the decisions are for.' })
  @Allow(EVERY_PARTNER)
  aiPartner!: string;

  @Field(() => UseType)
  @Allow(EVERY_PARTNER)
  use!: UseType;

  @Field(() => TerritoryScalar)
  @Allow(EVERY_PARTNER)
  territory!: string;

  @Field({ description: 'The instant the decisions are about.' })
  @Allow(EVERY_PARTNER)
  at!: Date;

  @Field()
  @Allow(EVERY_PARTNER)
  evaluatedAt!: Date;

  @Field({
    description:
      'base64url SHA-256 of the decisions: one line per decision in the order asked, "isrc|decision|reasons|rightsholdersWithoutAgreement|agreements|consentRecords" with list items joined by ",", lines joined by "\\n".',
  })
  @Allow(EVERY_PARTNER)
  digest!: string;

  @Field({ description: 'Compact JWS (ES256) over the batch; verify with the keys at /.well-known/jwks.json.' })
  @Allow(EVERY_PARTNER)
  receipt!: string;

  @Field(() => [ConsentDecision], { description: 'One per ISRC, in the order asked.' })
  @Allow(EVERY_PARTNER)
  decisions!: ConsentDecision[];
}

@ArgsType()
export class ConsentDecisionsArgs {
  @Field(() => [IsrcScalar], { description: 'At most 10,000, without duplicates.' })
  isrcs!: string[];

  @Field(() => UseType)
  use!: UseType;

  @Field(() => TerritoryScalar, { description: 'A country, or WORLD (then only worldwide, unrestricted terms and consents count).' })
  territory!: string;

  @Field(() => Date, { nullable: true, description: 'The instant to decide about; now when left out.' })
  at?: Date | null;

  @Field(() => ID, { nullable: true, description: 'Internal tools only: the AI partner to decide for.' })
  aiPartner?: string | null;
}

@ArgsType()
export class LicensedWorksArgs extends PageArgs {
  @Field(() => UseType)
  use!: UseType;

  @Field(() => TerritoryScalar)
  territory!: string;

  @Field(() => ID, { nullable: true, description: 'Internal tools only: the AI partner to list for.' })
  aiPartner?: string | null;
}
