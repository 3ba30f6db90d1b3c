import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ApolloServerPlugin } from '@apollo/server';
import { InMemoryLRUCache, PrefixingKeyValueCache, type KeyValueCache } from '@apollo/utils.keyvaluecache';
import { parse, validate, type GraphQLError, type GraphQLSchema } from 'graphql';
import { ForbiddenError } from '../common/errors';
import { SettingsError } from '../config';
import { fromGlobalId, isUuid } from '../common/relay/global-id';
import type { RequestContext } from './context';
import { toGraphQLError } from './format-error';

/** The operations of an Apollo persisted query manifest (`@apollo/generate-persisted-query-manifest`). */
interface ManifestOperation {
  id: string;
  name?: string;
  body: string;
}

export function sha256Of(document: string): string {
  return createHash('sha256').update(document).digest('hex');
}

function partnerIdOf(fileName: string): string {
  const name = path.basename(fileName, '.json');
  if (isUuid(name)) return name;
  try {
    const { type, id } = fromGlobalId(name);
    if (type === 'Partner') return id;
  } catch {
    // Reported below, with the file's name.
  }
  throw new SettingsError(`OPERATION_SAFELIST_DIR: ${fileName} must be named after a partner: <partner uuid or id>.json`);
}

function manifestFiles(directory: string): string[] {
  try {
    return fs.readdirSync(directory).filter((name) => name.endsWith('.json'));
  } catch {
    throw new SettingsError(`OPERATION_SAFELIST_DIR: ${directory} is not a folder that can be read`);
  }
}

function readManifest(file: string, schema: GraphQLSchema): ManifestOperation[] {
  const fail = (problem: string) => new SettingsError(`OPERATION_SAFELIST_DIR: ${file}: ${problem}`);
  let manifest: { format?: unknown; version?: unknown; operations?: unknown };
  try {
    manifest = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    throw fail('not JSON');
  }
  if (manifest?.format !== 'apollo-persisted-query-manifest' || manifest.version !== 1 || !Array.isArray(manifest.operations)) {
    throw fail('expected an Apollo persisted query manifest: {"format": "apollo-persisted-query-manifest", "version": 1, "operations": [...]}');
  }
  return manifest.operations.map((operation: ManifestOperation, index) => {
    const where = `operations[${index}]${typeof operation?.name === 'string' ? ` (${operation.name})` : ''}`;
    if (typeof operation?.body !== 'string' || operation.id !== sha256Of(operation.body)) {
      throw fail(`${where}: id must be the SHA-256 (hex) of body`);
    }
    let errors: readonly GraphQLError[];
    try {
      errors = validate(schema, parse(operation.body));
    } catch (error) {
      errors = [error as GraphQLError];
    }
    // A stale manifest is found at start, not by the partner's first refused request.
    if (errors.length > 0) throw fail(`${where}: ${errors[0].message}`);
    return operation;
  });
}

/**
 * Persisted-operation safelists, per partner (DESIGN, gateway protections; optional): a partner with a
 * manifest in OPERATION_SAFELIST_DIR may run only the operations it lists, so a leaked token runs
 * nothing else. Partners without one are not restricted. Read once at start; every replica mounts
 * the same folder.
 */
export class OperationSafelists {
  private constructor(
    private readonly hashesByPartner: ReadonlyMap<string, ReadonlySet<string>>,
    private readonly documents: ReadonlyMap<string, string>,
  ) {}

  static load(directory: string | undefined, schema: GraphQLSchema): OperationSafelists {
    const hashesByPartner = new Map<string, Set<string>>();
    const documents = new Map<string, string>();
    for (const name of directory ? manifestFiles(directory) : []) {
      const partnerId = partnerIdOf(name);
      if (hashesByPartner.has(partnerId)) throw new SettingsError(`OPERATION_SAFELIST_DIR: two manifests for partner ${partnerId}`);
      const operations = readManifest(path.join(directory!, name), schema);
      hashesByPartner.set(partnerId, new Set(operations.map((operation) => operation.id)));
      for (const operation of operations) documents.set(operation.id, operation.body);
    }
    return new OperationSafelists(hashesByPartner, documents);
  }

  get empty(): boolean {
    return this.hashesByPartner.size === 0;
  }

  restricts(partnerId: string): boolean {
    return this.hashesByPartner.has(partnerId);
  }

  /** FORBIDDEN when the partner has a safelist without this document (by its SHA-256, hex). */
  refusal(partnerId: string, documentHash: string): ForbiddenError | undefined {
    const hashes = this.hashesByPartner.get(partnerId);
    if (!hashes || hashes.has(documentHash)) return undefined;
    return new ForbiddenError('this partner may run only the operations of its safelist, and this one is not among them', {
      reason: 'OPERATION_NOT_SAFELISTED',
      sha256: documentHash,
    });
  }

  /**
   * Apollo's persisted-query cache, which also knows every safelisted document: a client sends only
   * `extensions.persistedQuery.sha256Hash` for them, on any replica, from the first request. Keys are
   * the documents' hashes (no prefix: the safelist's ids are those hashes).
   */
  persistedQueryCache(): KeyValueCache<string> {
    const registered = new InMemoryLRUCache<string>();
    const documents = this.documents;
    return PrefixingKeyValueCache.cacheDangerouslyDoesNotNeedPrefixesForIsolation<string>({
      async get(hash) {
        return documents.get(hash) ?? registered.get(hash);
      },
      set: (hash, document, options) => registered.set(hash, document, options),
      delete: (hash) => registered.delete(hash),
    });
  }

  /**
   * Refuses what a restricted partner may not run, once the document is parsed and before it runs. The
   * hash is Apollo's: computed from the text, or sent by the client and checked against it, or the key
   * under which the text was found.
   */
  plugin(): ApolloServerPlugin<RequestContext> {
    return {
      requestDidStart: async ({ contextValue }) => {
        const partnerId = contextValue.viewer.partnerId;
        if (!this.restricts(partnerId)) return;
        return {
          didResolveOperation: async ({ queryHash }) => {
            const refusal = this.refusal(partnerId, queryHash);
            if (refusal) throw toGraphQLError(refusal);
          },
        };
      },
    };
  }
}
