import { defaultFieldResolver, isObjectType, type GraphQLFieldConfig, type GraphQLSchema } from 'graphql';
import { Extensions } from 'type-graphql';
import { ForbiddenError } from '../common/errors';
import { PARTNER_TYPES, type PartnerType } from '../partners/partner.entity';
import type { RequestContext } from '../server/context';
import type { Viewer } from './viewer';

/**
 * The policy module: the single place where field access is decided.
 *
 * Every field of every object type carries a rule, declared beside the field with `@Allow(...)`. A rule
 * has two layers: which partner types may ever see the field (the keys), and for each of those either
 * `true` or a *relationship* the viewer must have with the parent object (owner of the work, party to
 * the agreement, distributor with a mandate…). A field without a rule fails the schema build: access
 * is closed unless opened. A denied field resolves to null with a FORBIDDEN error at its path.
 */
export interface Relation<Parent = any> { // any: a relation is declared for one parent type, checked at build by its use
  name: string;
  description: string;
  holds(viewer: Viewer, parent: Parent): boolean;
}

export type Grant = true | Relation;
export type Grants = Partial<Record<PartnerType, Grant>>;

export interface FieldPolicy {
  grants: Grants;
  /** Relationship checks a service makes on the arguments (root fields), shown in docs/authorization.md. */
  note?: string;
}

export const EVERY_PARTNER: Grants = { LABEL: true, DISTRIBUTOR: true, AI_PARTNER: true, INTERNAL: true };
export const INTERNAL_ONLY: Grants = { INTERNAL: true };

export function relation<Parent>(definition: Relation<Parent>): Relation<Parent> {
  return definition;
}

/** Declares who may read a field or call an operation. */
export function Allow(grants: Grants, note?: string): MethodDecorator & PropertyDecorator {
  const policy: FieldPolicy = { grants, note };
  return Extensions({ policy }) as MethodDecorator & PropertyDecorator;
}

export function isAllowed(policy: FieldPolicy, viewer: Viewer, parent: unknown): boolean {
  const grant = policy.grants[viewer.type];
  if (grant === undefined) return false;
  return grant === true || grant.holds(viewer, parent);
}

function opensToEveryone(policy: FieldPolicy): boolean {
  return PARTNER_TYPES.every((type) => policy.grants[type] === true);
}

export interface PolicyEntry {
  type: string;
  field: string;
  policy: FieldPolicy;
}

/** Every field of the schema's object types with its rule; throws on the first field that has none. */
export function policyEntries(schema: GraphQLSchema): PolicyEntry[] {
  const entries: PolicyEntry[] = [];
  const missing: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const policy = field.extensions?.policy as FieldPolicy | undefined;
      if (!policy) missing.push(`${type.name}.${field.name}`);
      else entries.push({ type: type.name, field: field.name, policy });
    }
  }
  if (missing.length) throw new Error(`Fields without an authorization rule (add @Allow): ${missing.join(', ')}`);
  return entries;
}

/**
 * Wraps the resolver of every field whose rule is narrower than "every partner type" with its check.
 * Fields open to every type keep their resolver untouched: the hot paths pay nothing for them.
 */
export function enforcePolicy(schema: GraphQLSchema): GraphQLSchema {
  const entries = policyEntries(schema);
  for (const { type, field, policy } of entries) {
    if (opensToEveryone(policy)) continue;
    const objectType = schema.getType(type);
    if (!isObjectType(objectType)) continue;
    const fieldConfig = objectType.getFields()[field] as unknown as GraphQLFieldConfig<unknown, RequestContext>;
    const resolve = fieldConfig.resolve ?? defaultFieldResolver;
    fieldConfig.resolve = (parent, args, context, info) => {
      if (!isAllowed(policy, context.viewer, parent)) {
        throw new ForbiddenError(`${type}.${field} is not visible to this partner`, { field: `${type}.${field}` });
      }
      return resolve(parent, args, context, info);
    };
    const subscribe = fieldConfig.subscribe;
    if (subscribe) {
      fieldConfig.subscribe = (parent, args, context, info) => {
        if (!isAllowed(policy, context.viewer, parent)) {
          throw new ForbiddenError(`${type}.${field} is not available to this partner`, { field: `${type}.${field}` });
        }
        return subscribe(parent, args, context, info);
      };
    }
  }
  return schema;
}

function cell(grant: Grant | undefined): string {
  if (grant === undefined) return '—';
  return grant === true ? 'yes' : `if ${grant.name}`;
}

/** docs/authorization.md, generated from the rules: what humans review when a permission changes. */
export function renderPolicyTable(schema: GraphQLSchema): string {
  const entries = policyEntries(schema).sort((a, b) =>
    a.type === b.type ? a.field.localeCompare(b.field) : a.type.localeCompare(b.type),
  );
  const relations = new Map<string, string>();
  const lines = [
    '# Authorization',
    '',
    'Generated from the rules declared with `@Allow` beside each field (`npm run generate`);',
    'a test fails when this file and the code disagree. `—` means never; `if …` names the relationship',
    'the viewer must have with the object. A field not listed cannot exist: the schema build fails without a rule.',
    '',
    `| field | ${PARTNER_TYPES.join(' | ')} | also checked |`,
    `|---|${PARTNER_TYPES.map(() => '---').join('|')}|---|`,
  ];
  for (const { type, field, policy } of entries) {
    for (const grant of Object.values(policy.grants)) {
      if (grant && grant !== true) relations.set(grant.name, grant.description);
    }
    const cells = PARTNER_TYPES.map((partnerType) => cell(policy.grants[partnerType]));
    lines.push(`| \`${type}.${field}\` | ${cells.join(' | ')} | ${policy.note ?? ''} |`);
  }
  lines.push('', '## Relationships', '');
  for (const [name, description] of [...relations].sort()) lines.push(`- **${name}**: ${description}`);
  return `${lines.join('\n')}\n`;
}
