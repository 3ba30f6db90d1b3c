import fs from 'node:fs';
import path from 'node:path';
import { isObjectType, type GraphQLObjectType } from 'graphql';
import { Field, ObjectType, Query, Resolver, buildSchema } from 'type-graphql';
import { Allow, EVERY_PARTNER, enforcePolicy, policyEntries } from '../../src/auth/policy';
import { buildAccordSchema } from '../../src/server/schema';
import { renderSchemaFiles } from '../../src/server/schema-files';

@ObjectType()
class Unguarded {
  @Field()
  @Allow(EVERY_PARTNER)
  guarded!: string;

  @Field()
  forgotten!: string;
}

@Resolver()
class UnguardedResolver {
  @Query(() => Unguarded)
  @Allow(EVERY_PARTNER)
  unguarded(): Unguarded {
    return { guarded: 'a', forgotten: 'b' };
  }
}

describe('the authorization policy', () => {
  it('fails the schema build when a field has no rule (closed by default)', async () => {
    const schema = await buildSchema({ resolvers: [UnguardedResolver], validate: false });
    expect(() => enforcePolicy(schema)).toThrow('Fields without an authorization rule (add @Allow): Unguarded.forgotten');
  });

  it('has a rule for every field of every object type of the Accord schema', async () => {
    const schema = await buildAccordSchema();
    const fields = Object.values(schema.getTypeMap())
      .filter((type) => isObjectType(type) && !type.name.startsWith('__'))
      .flatMap((type) => Object.keys((type as GraphQLObjectType).getFields()).map((field) => `${type.name}.${field}`));
    const ruled = policyEntries(schema).map(({ type, field }) => `${type}.${field}`);
    expect(ruled.sort()).toEqual(fields.sort());
    expect(fields.length).toBeGreaterThan(40);
  });

  it.each(['schema/schema.graphql', 'docs/authorization.md'])('%s is current (run `npm run generate`)', async (file) => {
    const expected = (await renderSchemaFiles())[file];
    const committed = fs.readFileSync(path.join(__dirname, '../..', file), 'utf8');
    expect(committed).toBe(expected);
  });
});
