import { LocalDateResolver } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Allow, EVERY_PARTNER, relation } from '../auth/policy';
import { actsForAny } from '../auth/viewer';
import { IsniScalar, IsrcScalar, IswcScalar } from '../common/scalars/identifiers';
import { ConnectionType } from '../common/relay/connection';
import { Node } from '../common/relay/node';
import { MandatePermission } from '../partners/mandate.entity';
import { Partner } from '../partners/partners.types';
import { ArtistRole } from './work-artist.entity';

registerEnumType(ArtistRole, { name: 'ArtistRole' });

@ObjectType({ implements: Node })
export class Artist extends Node {
  artistId!: string;

  @Field()
  @Allow(EVERY_PARTNER)
  name!: string;

  @Field(() => IsniScalar, { nullable: true })
  @Allow(EVERY_PARTNER)
  isni!: string | null;
}

@ObjectType({ description: 'An artist credited on a work.' })
export class WorkArtist {
  artistId!: string;

  @Field(() => Artist)
  @Allow(EVERY_PARTNER)
  artist!: Artist;

  @Field(() => ArtistRole)
  @Allow(EVERY_PARTNER)
  role!: ArtistRole;
}

export const representsAnOwner = relation<{ ownerLabelIds: readonly string[] }>({
  name: 'represents an owner',
  description:
    'the viewer is a label owning a share of the work, or a distributor holding a READ_CATALOG mandate in force for one',
  holds: (viewer, share) => actsForAny(viewer, MandatePermission.READ_CATALOG, share.ownerLabelIds),
});

@ObjectType({ description: "A label's share of a work." })
export class RightShare {
  labelId!: string;
  /** Every label owning a share of the same work: whoever represents one of them may see the split. */
  ownerLabelIds!: readonly string[];

  @Field(() => Partner, { description: 'The label holding the share.' })
  @Allow(EVERY_PARTNER)
  label!: Partner;

  @Field(() => Int, { nullable: true, description: 'Share in basis points; the shares of a work sum to 10000.' })
  @Allow({ LABEL: representsAnOwner, DISTRIBUTOR: representsAnOwner, INTERNAL: true })
  shareBps!: number;
}

@ObjectType({ implements: Node, description: 'A sound recording, identified by its ISRC.' })
export class Work extends Node {
  workId!: string;
  /** Labels holding a share, for relations decided on the work (see consent history). */
  ownerLabelIds!: readonly string[];

  @Field(() => IsrcScalar)
  @Allow(EVERY_PARTNER)
  isrc!: string;

  @Field()
  @Allow(EVERY_PARTNER)
  title!: string;

  @Field(() => IswcScalar, { nullable: true, description: 'The musical work the recording embodies.' })
  @Allow(EVERY_PARTNER)
  iswc!: string | null;

  @Field(() => LocalDateResolver, { nullable: true })
  @Allow(EVERY_PARTNER)
  releaseDate!: string | null;

  @Field({ description: 'Last change to the work, its credits or its shares.' })
  @Allow(EVERY_PARTNER)
  updatedAt!: Date;
}

export const WorkConnection = ConnectionType('Work', Work);

@InputType()
export class WorkFilter {
  @Field(() => ID, { nullable: true, description: 'Only works in which this label holds a share.' })
  label?: string | null;

  @Field(() => String, { nullable: true, description: 'Case-insensitive substring of the title.' })
  titleContains?: string | null;

  @Field(() => [IsrcScalar], { nullable: true })
  isrcs?: string[] | null;
}

@InputType()
export class WorkArtistInput {
  @Field()
  name!: string;

  @Field(() => IsniScalar, { nullable: true, description: 'When given, the artist is matched by ISNI, else by exact name.' })
  isni?: string | null;

  @Field(() => ArtistRole)
  role!: ArtistRole;
}

@InputType()
export class RightShareInput {
  @Field(() => ID, { description: 'Id of a LABEL partner.' })
  label!: string;

  @Field(() => Int, { description: 'Basis points, 1..10000; a work\'s shares sum to exactly 10000.' })
  shareBps!: number;
}

@InputType({ description: 'A work to create, or to replace entirely when its ISRC is already registered.' })
export class WorkInput {
  @Field(() => IsrcScalar)
  isrc!: string;

  @Field()
  title!: string;

  @Field(() => IswcScalar, { nullable: true })
  iswc?: string | null;

  @Field(() => LocalDateResolver, { nullable: true })
  releaseDate?: string | null;

  @Field(() => [WorkArtistInput], { description: 'Credits in order; at least one MAIN artist.' })
  artists!: WorkArtistInput[];

  @Field(() => [RightShareInput])
  rightsholders!: RightShareInput[];
}

@ObjectType()
export class RegisterWorksPayload {
  @Field(() => [Work], { description: 'The works as stored, in the order given.' })
  @Allow(EVERY_PARTNER)
  works!: Work[];

  @Field(() => Int)
  @Allow(EVERY_PARTNER)
  createdCount!: number;

  @Field(() => Int)
  @Allow(EVERY_PARTNER)
  updatedCount!: number;

  @Field(() => Int, { description: 'Works sent exactly as already stored: nothing written, no event.' })
  @Allow(EVERY_PARTNER)
  unchangedCount!: number;
}
