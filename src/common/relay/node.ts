import { Field, ID, InterfaceType } from 'type-graphql';
import { Allow, EVERY_PARTNER } from '../../auth/policy';

@InterfaceType({ description: 'An object with a global id, fetchable with node(id:).' })
export abstract class Node {
  @Field(() => ID)
  @Allow(EVERY_PARTNER)
  id!: string;
}
