import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { Allow, EVERY_PARTNER, relation, type Grants } from '../auth/policy';
import { actsForAny } from '../auth/viewer';
import { ConnectionType } from '../common/relay/connection';
import { Node } from '../common/relay/node';
import { IsniScalar, IsrcScalar } from '../common/scalars/identifiers';
import { TerritoryScalar } from '../common/scalars/territory';
import { UseType } from '../common/use-type';
import { MandatePermission } from '../partners/mandate.entity';
import { ConsentScope, ConsentState, EvidenceMethod } from './consent-record.entity';

registerEnumType(ConsentScope, {
  name: 'ConsentScope',
  valuesConfig: {
    WORK: { description: 'One work; beats any ARTIST-scope record for it.' },
    ARTIST: { description: 'Every work on which the artist is credited MAIN.' },
  },
});
registerEnumType(ConsentState, { name: 'ConsentState' });
registerEnumType(EvidenceMethod, { name: 'EvidenceMethod' });

/** What recordConsent may declare; WITHDRAWN is written by withdrawConsent only. */
export const ConsentChoice = { GRANTED: ConsentState.GRANTED, REFUSED: ConsentState.REFUSED } as const;
export type ConsentChoice = (typeof ConsentChoice)[keyof typeof ConsentChoice];
registerEnumType(ConsentChoice, { name: 'ConsentChoice' });

export const representsAnOwnerForConsent = relation<{ ownerLabelIds: readonly string[] }>({
  name: 'represents an owner (consent)',
  description:
    'the viewer is a label owning a share of the work, or a distributor holding a READ_CATALOG or MANAGE_CONSENT mandate in force for one',
  holds: (viewer, work) =>
    actsForAny(viewer, MandatePermission.READ_CATALOG, work.ownerLabelIds) ||
    actsForAny(viewer, MandatePermission.MANAGE_CONSENT, work.ownerLabelIds),
});

/** Raw consent records, their evidence and who declared them: never for AI partners, who get decisions. */
export const CONSENT_READERS: Grants = { LABEL: true, DISTRIBUTOR: true, INTERNAL: true };

@ObjectType({ description: 'The artist (or rights holder) who made the choice, as declared to the recording partner.' })
export class ConsentDeclarant {
  @Field()
  @Allow(CONSENT_READERS)
  name!: string;

  @Field(() => IsniScalar, { nullable: true })
  @Allow(CONSENT_READERS)
  isni!: string | null;
}

@ObjectType()
export class ConsentEvidence {
  @Field(() => EvidenceMethod)
  @Allow(CONSENT_READERS)
  method!: EvidenceMethod;

  @Field(() => String, { nullable: true, description: 'SHA-256 of the evidence document, lower-case hex.' })
  @Allow(CONSENT_READERS)
  documentHash!: string | null;

  @Field(() => String, { nullable: true })
  @Allow(CONSENT_READERS)
  url!: string | null;
}

@ObjectType({ implements: Node, description: 'One entry of the append-only consent history.' })
export class ConsentRecord extends Node {
  recordId!: string;
  workId!: string | null;
  artistId!: string | null;
  recordedById!: string;

  @Field(() => ConsentScope)
  @Allow(CONSENT_READERS)
  scope!: ConsentScope;

  @Field(() => [UseType])
  @Allow(CONSENT_READERS)
  useTypes!: UseType[];

  @Field(() => [TerritoryScalar])
  @Allow(CONSENT_READERS)
  territories!: string[];

  @Field(() => [TerritoryScalar], { description: 'Countries excluded from WORLD.' })
  @Allow(CONSENT_READERS)
  excludedTerritories!: string[];

  @Field()
  @Allow(CONSENT_READERS)
  validFrom!: Date;

  @Field(() => Date, { nullable: true })
  @Allow(CONSENT_READERS)
  validUntil!: Date | null;

  @Field(() => ConsentState)
  @Allow(CONSENT_READERS)
  state!: ConsentState;

  @Field(() => ConsentDeclarant)
  @Allow(CONSENT_READERS)
  grantedBy!: ConsentDeclarant;

  @Field(() => ConsentEvidence)
  @Allow(CONSENT_READERS)
  evidence!: ConsentEvidence;

  @Field({ description: 'When the gateway recorded it; among records in force, the latest wins.' })
  @Allow(CONSENT_READERS)
  recordedAt!: Date;
}

export const ConsentRecordConnection = ConnectionType('ConsentRecord', ConsentRecord);

@InputType()
export class ConsentDeclarantInput {
  @Field({ description: 'The name the artist declared under.' })
  name!: string;

  @Field(() => IsniScalar, { nullable: true })
  isni?: string | null;
}

@InputType()
export class ConsentEvidenceInput {
  @Field(() => EvidenceMethod)
  method!: EvidenceMethod;

  @Field(() => String, { nullable: true, description: 'SHA-256 of the evidence document, 64 hex digits.' })
  documentHash?: string | null;

  @Field(() => String, { nullable: true, description: 'An https URL where the evidence is kept.' })
  url?: string | null;
}

/** Subjects and coverage shared by recording and withdrawing. */
@InputType()
export class ConsentCoverageInput {
  @Field(() => [IsrcScalar], { nullable: true, description: 'WORK scope: these works.' })
  works?: string[] | null;

  @Field(() => [ID], { nullable: true, description: 'ARTIST scope: every work on which each artist is MAIN.' })
  artists?: string[] | null;

  @Field(() => [UseType], { description: 'Each use explicitly; there is no "all".' })
  useTypes!: UseType[];

  @Field(() => [TerritoryScalar], { description: 'Countries, or WORLD (with excludedTerritories).' })
  territories!: string[];

  @Field(() => [TerritoryScalar], { nullable: true, description: 'Only with WORLD.' })
  excludedTerritories?: string[] | null;

  @Field(() => ConsentDeclarantInput)
  grantedBy!: ConsentDeclarantInput;

  @Field(() => ConsentEvidenceInput)
  evidence!: ConsentEvidenceInput;
}

@InputType({ description: 'A choice to record for many works or artists at once: all of them, or none.' })
export class RecordConsentInput extends ConsentCoverageInput {
  @Field(() => ConsentChoice)
  state!: ConsentChoice;

  @Field(() => Date, { nullable: true, description: 'Now when left out; may be in the past when the evidence predates it.' })
  validFrom?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Open-ended when left out.' })
  validUntil?: Date | null;
}

@InputType({ description: 'Records withdrawals (new WITHDRAWN records); nothing earlier is changed.' })
export class WithdrawConsentInput extends ConsentCoverageInput {
  @Field(() => Date, {
    nullable: true,
    description: 'Now when left out; may be in the future, not in the past (a withdrawal does not rewrite what was allowed).',
  })
  effectiveFrom?: Date | null;
}

@ObjectType()
export class ConsentRecordsPayload {
  @Field(() => [ConsentRecord], { description: 'The records written: works first, then artists, in the order given.' })
  @Allow(EVERY_PARTNER)
  records!: ConsentRecord[];
}
