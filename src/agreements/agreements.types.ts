import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Allow, EVERY_PARTNER, relation } from '../auth/policy';
import { CurrencyScalar } from '../common/money';
import { ConnectionType } from '../common/relay/connection';
import { Node } from '../common/relay/node';
import { IsrcScalar } from '../common/scalars/identifiers';
import { TerritoryScalar } from '../common/scalars/territory';
import { UseType } from '../common/use-type';
import { AgreementState, BillingPeriod, CatalogScope, CompensationModel } from './agreement.entity';
import { isParty, type AgreementParties } from './agreements.access';

registerEnumType(AgreementState, {
  name: 'AgreementState',
  description: 'EXPIRED is never stored: an ACTIVE or SUSPENDED agreement reads EXPIRED once its end has passed.',
});
registerEnumType(CatalogScope, { name: 'CatalogScope' });
registerEnumType(CompensationModel, { name: 'CompensationModel' });
registerEnumType(BillingPeriod, { name: 'BillingPeriod' });

export const TermsStatus = {
  DRAFT: 'DRAFT',
  PROPOSED: 'PROPOSED',
  IN_FORCE: 'IN_FORCE',
  SUPERSEDED: 'SUPERSEDED',
  DECLINED: 'DECLINED',
} as const;
export type TermsStatus = (typeof TermsStatus)[keyof typeof TermsStatus];
registerEnumType(TermsStatus, { name: 'TermsStatus' });

export const partyToAgreement = relation<{ parties: AgreementParties }>({
  name: 'party to the agreement',
  description:
    'the viewer is the licensee, the negotiating distributor, the licensor label or a distributor holding a NEGOTIATE mandate in force for it',
  holds: (viewer, parent) => isParty(viewer, parent.parties),
});
const PARTIES = { LABEL: partyToAgreement, DISTRIBUTOR: partyToAgreement, AI_PARTNER: partyToAgreement, INTERNAL: true } as const;

@ObjectType({ description: 'An amount of money: exact, in the currency\'s minor units.' })
export class Money {
  @Field({ description: 'Decimal string with the currency\'s decimals, e.g. "1500.00".' })
  @Allow(EVERY_PARTNER)
  amount!: string;

  @Field({ description: 'Integer minor units as a string (bigint-safe), e.g. "150000".' })
  @Allow(EVERY_PARTNER)
  minorUnits!: string;

  @Field(() => CurrencyScalar)
  @Allow(EVERY_PARTNER)
  currency!: string;
}

@ObjectType()
export class MinimumGuarantee {
  @Field(() => Money)
  @Allow(EVERY_PARTNER)
  amount!: Money;

  @Field(() => BillingPeriod)
  @Allow(EVERY_PARTNER)
  period!: BillingPeriod;
}

@ObjectType({ description: 'How the licensee pays. Only the fields of its model are set.' })
export class Compensation {
  @Field(() => CompensationModel)
  @Allow(EVERY_PARTNER)
  model!: CompensationModel;

  @Field(() => CurrencyScalar)
  @Allow(EVERY_PARTNER)
  currency!: string;

  @Field(() => Money, { nullable: true, description: 'FLAT_FEE: the fee per period.' })
  @Allow(EVERY_PARTNER)
  fee!: Money | null;

  @Field(() => BillingPeriod, { nullable: true, description: 'FLAT_FEE: the period the fee covers.' })
  @Allow(EVERY_PARTNER)
  period!: BillingPeriod | null;

  @Field(() => String, { nullable: true, description: 'PER_USE: exact decimal rate per unit, in the currency.' })
  @Allow(EVERY_PARTNER)
  ratePerUnit!: string | null;

  @Field(() => Int, { nullable: true, description: 'REVENUE_SHARE: basis points of reported revenue.' })
  @Allow(EVERY_PARTNER)
  bps!: number | null;

  @Field(() => MinimumGuarantee, { nullable: true })
  @Allow(EVERY_PARTNER)
  minimumGuarantee!: MinimumGuarantee | null;
}

@ObjectType({ description: 'One version of the terms. Versions are never edited: a change is a new version.' })
export class AgreementTerms {
  agreementId!: string;
  parties!: AgreementParties;
  draftedById!: string;
  proposedById!: string | null;
  acceptedById!: string | null;

  @Field(() => Int)
  @Allow(EVERY_PARTNER)
  version!: number;

  @Field(() => TermsStatus)
  @Allow(EVERY_PARTNER)
  status!: TermsStatus;

  @Field(() => [UseType])
  @Allow(EVERY_PARTNER)
  useTypes!: UseType[];

  @Field(() => [TerritoryScalar])
  @Allow(EVERY_PARTNER)
  territories!: string[];

  @Field(() => [TerritoryScalar], { description: 'Countries excluded from WORLD.' })
  @Allow(EVERY_PARTNER)
  excludedTerritories!: string[];

  @Field()
  @Allow(EVERY_PARTNER)
  startsAt!: Date;

  @Field(() => Date, { nullable: true, description: 'Exclusive end; open-ended when null.' })
  @Allow(EVERY_PARTNER)
  endsAt!: Date | null;

  @Field(() => CatalogScope)
  @Allow(EVERY_PARTNER)
  catalogScope!: CatalogScope;

  @Field(() => Compensation, { nullable: true, description: 'Visible to the parties and internal only.' })
  @Allow(PARTIES)
  compensation!: Compensation;

  @Field()
  @Allow(EVERY_PARTNER)
  draftedAt!: Date;

  @Field(() => Date, { nullable: true, description: "The licensor side's acceptance of these terms." })
  @Allow(EVERY_PARTNER)
  proposedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: "The licensee's acceptance of these terms." })
  @Allow(EVERY_PARTNER)
  acceptedAt!: Date | null;
}

@ObjectType()
export class AgreementHistoryEntry {
  actorId!: string;
  actingForId!: string | null;

  @Field(() => Int, { description: 'The agreement version this transition produced.' })
  @Allow(EVERY_PARTNER)
  version!: number;

  @Field(() => Int, { nullable: true })
  @Allow(EVERY_PARTNER)
  termsVersion!: number | null;

  @Field()
  @Allow(EVERY_PARTNER)
  transition!: string;

  @Field(() => AgreementState, { nullable: true })
  @Allow(EVERY_PARTNER)
  fromState!: AgreementState | null;

  @Field(() => AgreementState)
  @Allow(EVERY_PARTNER)
  toState!: AgreementState;

  @Field(() => String, { nullable: true })
  @Allow(EVERY_PARTNER)
  reason!: string | null;

  @Field()
  @Allow(EVERY_PARTNER)
  occurredAt!: Date;
}

@ObjectType({ implements: Node, description: 'An upfront license between a rights holder and an AI partner.' })
export class Agreement extends Node {
  agreementId!: string;
  parties!: AgreementParties;
  termsInForce!: number | null;
  pendingTerms!: number | null;

  @Field(() => AgreementState)
  @Allow(EVERY_PARTNER)
  state!: AgreementState;

  @Field(() => Int, { description: 'Pass it as expectedVersion to change the agreement.' })
  @Allow(EVERY_PARTNER)
  version!: number;

  @Field(() => String, { nullable: true })
  @Allow(EVERY_PARTNER)
  terminationReason!: string | null;

  @Field()
  @Allow(EVERY_PARTNER)
  createdAt!: Date;

  @Field()
  @Allow(EVERY_PARTNER)
  updatedAt!: Date;
}

export const AgreementConnection = ConnectionType('Agreement', Agreement);

@InputType()
export class AgreementFilter {
  @Field(() => AgreementState, { nullable: true })
  state?: AgreementState | null;

  @Field(() => ID, { nullable: true, description: 'Agreements whose licensor or licensee is this partner.' })
  counterparty?: string | null;

  @Field(() => UseType, { nullable: true, description: 'Agreements whose current terms include this use.' })
  useType?: UseType | null;
}

@InputType()
export class MinimumGuaranteeInput {
  @Field({ description: 'Decimal amount in the compensation currency, e.g. "10000.00".' })
  amount!: string;

  @Field(() => BillingPeriod)
  period!: BillingPeriod;
}

@InputType({ description: 'Set the fields of the chosen model only.' })
export class CompensationInput {
  @Field(() => CompensationModel)
  model!: CompensationModel;

  @Field(() => CurrencyScalar)
  currency!: string;

  @Field(() => String, { nullable: true, description: 'FLAT_FEE: decimal fee per period, e.g. "5000.00".' })
  fee?: string | null;

  @Field(() => BillingPeriod, { nullable: true, description: 'FLAT_FEE: the period the fee covers.' })
  period?: BillingPeriod | null;

  @Field(() => String, { nullable: true, description: 'PER_USE: exact decimal rate per unit, e.g. "0.0125".' })
  ratePerUnit?: string | null;

  @Field(() => Int, { nullable: true, description: 'REVENUE_SHARE: basis points, 0..10000.' })
  bps?: number | null;

  @Field(() => MinimumGuaranteeInput, { nullable: true })
  minimumGuarantee?: MinimumGuaranteeInput | null;
}

@InputType()
export class AgreementTermsInput {
  @Field(() => [UseType])
  useTypes!: UseType[];

  @Field(() => [TerritoryScalar], { description: 'Country codes, or WORLD.' })
  territories!: string[];

  @Field(() => [TerritoryScalar], { nullable: true, description: 'Only with WORLD: countries left out.' })
  excludedTerritories?: string[] | null;

  @Field()
  startsAt!: Date;

  @Field(() => Date, { nullable: true })
  endsAt?: Date | null;

  @Field(() => CatalogScope)
  catalogScope!: CatalogScope;

  @Field(() => [IsrcScalar], { nullable: true, description: "SELECTED scope: works of the licensor's catalog." })
  selectedIsrcs?: string[] | null;

  @Field(() => CompensationInput)
  compensation!: CompensationInput;
}

@InputType()
export class CreateAgreementInput {
  @Field(() => ID, { nullable: true, description: 'The licensor label; a label drafting for itself may leave it out.' })
  licensor?: string | null;

  @Field(() => ID, { description: 'An AI partner.' })
  licensee!: string;

  @Field(() => AgreementTermsInput)
  terms!: AgreementTermsInput;
}

@InputType()
export class AgreementChangeInput {
  @Field(() => ID)
  agreement!: string;

  @Field(() => Int, { description: 'The version read; a stale one gets CONFLICT and changes nothing.' })
  expectedVersion!: number;

  @Field(() => String, { nullable: true, description: 'Why, for the history (required to terminate).' })
  reason?: string | null;
}

@InputType()
export class AgreementTermsChangeInput {
  @Field(() => ID)
  agreement!: string;

  @Field(() => Int)
  expectedVersion!: number;

  @Field(() => AgreementTermsInput)
  terms!: AgreementTermsInput;
}
