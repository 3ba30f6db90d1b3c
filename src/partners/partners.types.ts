import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Allow, EVERY_PARTNER, relation } from '../auth/policy';
import { Node } from '../common/relay/node';
import { MandatePermission } from './mandate.entity';
import { PartnerStatus, PartnerType } from './partner.entity';

registerEnumType(PartnerType, { name: 'PartnerType' });
registerEnumType(PartnerStatus, { name: 'PartnerStatus' });
registerEnumType(MandatePermission, {
  name: 'MandatePermission',
  valuesConfig: {
    READ_CATALOG: { description: "See the label's works, shares and statements." },
    MANAGE_CATALOG: { description: 'Register and update works for the label.' },
    MANAGE_CONSENT: { description: "Record and withdraw consent on the label's works." },
    NEGOTIATE: { description: 'Draft, propose and manage agreements for the label.' },
  },
});

export const isViewer = relation<{ partnerId: string }>({
  name: 'viewer is this partner',
  description: 'the partner object is the authenticated partner itself',
  holds: (viewer, partner) => viewer.partnerId === partner.partnerId,
});

@ObjectType({ implements: Node, description: 'A label, distributor, AI partner or internal tool.' })
export class Partner extends Node {
  /** Internal uuid, not exposed. */
  partnerId!: string;

  @Field()
  @Allow(EVERY_PARTNER)
  name!: string;

  @Field(() => PartnerType)
  @Allow(EVERY_PARTNER)
  type!: PartnerType;

  @Field(() => PartnerStatus, { nullable: true })
  @Allow({ LABEL: isViewer, DISTRIBUTOR: isViewer, AI_PARTNER: isViewer, INTERNAL: true })
  status!: PartnerStatus;

  @Field(() => String, { nullable: true, description: 'DDEX party id.' })
  @Allow(EVERY_PARTNER)
  dpid!: string | null;
}

export const isMandateParty = relation<{ distributorId: string; labelId: string }>({
  name: 'party to the mandate',
  description: 'the viewer is the distributor holding the mandate or the label that granted it',
  holds: (viewer, mandate) => viewer.partnerId === mandate.distributorId || viewer.partnerId === mandate.labelId,
});
const MANDATE_PARTIES = { LABEL: isMandateParty, DISTRIBUTOR: isMandateParty, INTERNAL: true } as const;

@ObjectType({ implements: Node, description: 'Lets a distributor act for a label, within its permissions and dates.' })
export class Mandate extends Node {
  mandateId!: string;
  distributorId!: string;
  labelId!: string;

  @Field(() => [MandatePermission])
  @Allow(MANDATE_PARTIES)
  permissions!: MandatePermission[];

  @Field()
  @Allow(MANDATE_PARTIES)
  validFrom!: Date;

  @Field(() => Date, { nullable: true })
  @Allow(MANDATE_PARTIES)
  validUntil!: Date | null;

  @Field(() => Date, { nullable: true })
  @Allow(MANDATE_PARTIES)
  revokedAt!: Date | null;

  @Field({ description: 'In force now: started, not ended, not revoked.' })
  @Allow(MANDATE_PARTIES)
  active!: boolean;

  @Field(() => Int, { description: 'Pass it as expectedVersion to change the mandate.' })
  @Allow(MANDATE_PARTIES)
  version!: number;
}

@InputType()
export class GrantMandateInput {
  @Field(() => ID, { description: 'The distributor that will act for the label.' })
  distributor!: string;

  @Field(() => ID, { nullable: true, description: 'The label; a label granting for itself may leave it out.' })
  label?: string | null;

  @Field(() => [MandatePermission])
  permissions!: MandatePermission[];

  @Field(() => Date, { nullable: true, description: 'Now when left out.' })
  validFrom?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Open-ended when left out.' })
  validUntil?: Date | null;
}

@InputType()
export class RevokeMandateInput {
  @Field(() => ID)
  mandate!: string;

  @Field(() => Int, { description: 'The version read; a stale one gets CONFLICT.' })
  expectedVersion!: number;
}

@InputType()
export class ChangePartnerStatusInput {
  @Field(() => ID)
  partner!: string;

  @Field({ description: 'Why, for the audit trail.' })
  reason!: string;
}
