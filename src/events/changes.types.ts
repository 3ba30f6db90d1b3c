import { JSONObjectResolver } from 'graphql-scalars';
import { ArgsType, Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { Allow, EVERY_PARTNER } from '../auth/policy';
import { IsrcScalar } from '../common/scalars/identifiers';
import { Partner } from '../partners/partners.types';
import { ChangeType } from './change-type';

registerEnumType(ChangeType, {
  name: 'ChangeType',
  description: 'What kind of change an event records.',
  valuesConfig: {
    PARTNER_SUSPENDED: { description: "A partner's tokens are refused from now on." },
    PARTNER_REINSTATED: { description: 'A suspension was lifted.' },
    MANDATE_GRANTED: { description: 'A label let a distributor act for it.' },
    MANDATE_REVOKED: { description: 'A mandate ended.' },
    WORK_REGISTERED: { description: 'A work entered the catalog.' },
    WORK_UPDATED: { description: "A work's title, credits or shares changed." },
    AGREEMENT_CREATED: { description: 'An agreement was drafted (heard by the licensor side only until proposed).' },
    AGREEMENT_DRAFT_UPDATED: { description: 'The draft terms were replaced by a new version.' },
    AGREEMENT_PROPOSED: { description: 'The draft was proposed to the licensee.' },
    AGREEMENT_ACCEPTED: { description: 'The licensee accepted: the agreement is ACTIVE.' },
    AGREEMENT_DECLINED: { description: 'The licensee declined the proposal.' },
    AGREEMENT_SUSPENDED: { description: 'The licensor side suspended the agreement.' },
    AGREEMENT_RESUMED: { description: 'A suspended agreement is ACTIVE again.' },
    AGREEMENT_TERMINATED: { description: 'The agreement ended.' },
    AGREEMENT_AMENDED: { description: 'New terms were proposed for an ACTIVE agreement.' },
    AGREEMENT_AMENDMENT_ACCEPTED: { description: 'The amended terms are in force.' },
    AGREEMENT_AMENDMENT_DECLINED: { description: 'The licensee declined the amendment; the terms in force stay.' },
    CONSENT_RECORDED: { description: 'A consent choice (granted or refused) was recorded for a work or an artist.' },
    CONSENT_WITHDRAWN: { description: 'Consent was withdrawn for a work or an artist.' },
    USAGE_REPORTED: { description: 'An AI partner reported usage; the ledger was written.' },
    USAGE_VIOLATION: { description: 'A usage report contained uses the decision rule denies: recorded, not paid.' },
    USAGE_REPORT_REVERSED: { description: 'A usage report was reversed by opposite ledger entries.' },
  },
});

@ObjectType({ description: 'A committed change, as far as you may see it.' })
export class ChangeEvent {
  @Field({ description: 'Opaque position of this event: pass it as `since` to resume right after it.' })
  @Allow(EVERY_PARTNER)
  cursor!: string;

  @Field(() => ChangeType)
  @Allow(EVERY_PARTNER)
  type!: ChangeType;

  @Field(() => ID, { description: 'Global id of the changed object (read it with node(id:)).' })
  @Allow(EVERY_PARTNER)
  entityId!: string;

  @Field({ description: 'When the transaction that made the change started.' })
  @Allow(EVERY_PARTNER)
  occurredAt!: Date;

  @Field(() => Partner, { description: 'The partner that made the change.' })
  @Allow(EVERY_PARTNER)
  actor!: Partner;

  @Field(() => JSONObjectResolver, {
    description: 'What changed, limited to what you could read through queries (may be empty).',
  })
  @Allow(EVERY_PARTNER)
  payload!: Record<string, unknown>;
}

@ArgsType()
export class ChangesArgs {
  @Field(() => String, {
    nullable: true,
    description: 'The cursor of the last event you received: every event after it is replayed, then live ones follow. Left out: live events only.',
  })
  since?: string | null;

  @Field(() => [ChangeType], { nullable: true, description: 'Only these types. Left out: every type.' })
  types?: ChangeType[] | null;
}

@ArgsType()
export class ConsentChangedArgs {
  @Field(() => [IsrcScalar], { nullable: true, description: 'The works to follow (at most 10,000). Left out: every work you license.' })
  isrcs?: string[] | null;

  @Field(() => String, { nullable: true, description: 'Resume after this cursor, as with `changes`.' })
  since?: string | null;
}
