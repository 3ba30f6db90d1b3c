import { lexicographicSortSchema, printSchema } from 'graphql';
import { renderPolicyTable } from '../auth/policy';
import { buildAccordSchema } from './schema';

/** The committed files derived from the code, by path; a test fails when the committed ones differ. */
export async function renderSchemaFiles(): Promise<Record<string, string>> {
  const schema = await buildAccordSchema();
  return {
    'schema/schema.graphql': `${printSchema(lexicographicSortSchema(schema))}\n`,
    'docs/authorization.md': renderPolicyTable(schema),
  };
}
