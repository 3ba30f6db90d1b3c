import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseUrl } from 'node:url';
import { InMemoryLRUCache, PrefixingKeyValueCache, type KeyValueCache } from '@apollo/utils.keyvaluecache';
import type { Request } from 'express';
import { getOperationAST, parse, validate, type DocumentNode, type GraphQLError, type GraphQLSchema, type ValidationRule } from 'graphql';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { ForbiddenError } from '../common/errors';
import { idOf, isUuid } from '../common/relay/global-id';
import { SettingsError } from '../config';

/** An operation of an Apollo persisted query manifest (`@apollo/generate-persisted-query-manifest`). */
interface ManifestOperation {
  id: string;
  name?: string;
  type?: string;
  body: string;
}

export interface SafelistOptions {
  directory: string | undefined;
  schema: GraphQLSchema;
  /** The rules every request is validated with (graphql-js's, the gateway's limits…). */
  validationRules: readonly ValidationRule[];
  maxTokens: number;
  dataSource: DataSource;
  logger: Logger;
}

export function sha256Of(document: string): string {
  return createHash('sha256').update(document).digest('hex');
}

function partnerIdOf(fileName: string): string {
  const name = fileName.slice(0, -'.json'.length);
  if (isUuid(name)) return name;
  try {
    return idOf('Partner', name);
  } catch {
    throw new SettingsError(`OPERATION_SAFELIST_DIR: ${fileName} must be named after a partner: <partner uuid or id>.json`);
  }
}

/** Every entry but hidden ones (a mounted ConfigMap's `..data`, say) must be a manifest, so a misnamed one is not skipped. */
function manifestFiles(directory: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(directory).filter((name) => !name.startsWith('.'));
  } catch {
    throw new SettingsError(`OPERATION_SAFELIST_DIR: ${directory} is not a folder that can be read`);
  }
  const stray = names.find((name) => !name.endsWith('.json'));
  if (stray) throw new SettingsError(`OPERATION_SAFELIST_DIR: ${stray} is not a manifest: expected only <partner uuid or id>.json files`);
  return names;
}

/** The body as the gateway would take it from a client: one operation, of the type and name the entry says. */
function checkOperation(operation: ManifestOperation, options: SafelistOptions): string | undefined {
  let document: DocumentNode;
  try {
    document = parse(operation.body, { maxTokens: options.maxTokens });
  } catch (error) {
    return (error as GraphQLError).message;
  }
  const errors = validate(options.schema, document, options.validationRules);
  if (errors.length > 0) return errors[0].message;
  const operations = document.definitions.filter((definition) => definition.kind === 'OperationDefinition');
  if (operations.length !== 1) return `holds ${operations.length} operations; a manifest entry is one operation`;
  const defined = getOperationAST(document)!;
  if (operation.type !== undefined && operation.type !== defined.operation) return `type is ${operation.type}, but the body is a ${defined.operation}`;
  if (operation.name !== undefined && operation.name !== defined.name?.value) return `name is ${operation.name}, but the body's operation is ${defined.name?.value ?? 'anonymous'}`;
  return undefined;
}

function readManifest(file: string, options: SafelistOptions): ManifestOperation[] {
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
    // A stale or malformed manifest is found at start, not by the partner's first refused request.
    const problem = checkOperation(operation, options);
    if (problem) throw fail(`${where}: ${problem}`);
    return operation;
  });
}

/** A search parameter given once, or undefined: Apollo refuses a repeated one. */
function once(search: URLSearchParams, name: string): string | undefined {
  const values = search.getAll(name);
  return values.length === 1 ? values[0] : undefined;
}

/**
 * The document a GraphQL-over-HTTP request names: its text's hash, or the hash it sends alone.
 * Read exactly as Apollo's Express integration reads it (body as parsed, search from `url.parse`),
 * so that what is checked is what runs.
 */
function requestedDocumentHash(req: Request): string | undefined {
  let params: unknown = req.body;
  if (req.method === 'GET') {
    const search = new URLSearchParams(parseUrl(req.url).search ?? '');
    const extensions = once(search, 'extensions');
    try {
      params = { query: once(search, 'query'), extensions: extensions === undefined ? undefined : JSON.parse(extensions) };
    } catch {
      return undefined;
    }
  }
  const { query, extensions } = (params ?? {}) as { query?: unknown; extensions?: { persistedQuery?: { sha256Hash?: unknown } } };
  if (typeof query === 'string') return sha256Of(query);
  const hash = extensions?.persistedQuery?.sha256Hash;
  return typeof hash === 'string' ? hash : undefined;
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

  static async load(options: SafelistOptions): Promise<OperationSafelists> {
    const { directory } = options;
    const hashesByPartner = new Map<string, Set<string>>();
    const documents = new Map<string, string>();
    for (const name of directory ? manifestFiles(directory) : []) {
      const partnerId = partnerIdOf(name);
      if (hashesByPartner.has(partnerId)) throw new SettingsError(`OPERATION_SAFELIST_DIR: two manifests for partner ${partnerId}`);
      const operations = readManifest(path.join(directory!, name), options);
      hashesByPartner.set(partnerId, new Set(operations.map((operation) => operation.id)));
      for (const operation of operations) documents.set(operation.id, operation.body);
    }
    if (hashesByPartner.size > 0) {
      // A manifest named after no partner (a staging id, say) would restrict no one without a word.
      const partners = (await options.dataSource.query(`SELECT id, name FROM partner WHERE id = ANY($1::uuid[])`, [[...hashesByPartner.keys()]])) as {
        id: string;
        name: string;
      }[];
      const missing = [...hashesByPartner.keys()].find((id) => !partners.some((partner) => partner.id === id));
      if (missing) throw new SettingsError(`OPERATION_SAFELIST_DIR: the manifest for ${missing} names no partner`);
      for (const partner of partners) {
        options.logger.info({ partnerId: partner.id, operations: hashesByPartner.get(partner.id)!.size }, `operation safelist: ${partner.name} runs only its listed operations`);
      }
    }
    return new OperationSafelists(hashesByPartner, documents);
  }

  /**
   * FORBIDDEN when the partner has a safelist and the document (by its SHA-256, hex; undefined when the
   * request names none) is not in it. Asked before anything is done with the document: it is neither
   * parsed nor charged. The hash is computed only for a restricted partner.
   */
  refusal(partnerId: string, documentHash: () => string | undefined): ForbiddenError | undefined {
    const hashes = this.hashesByPartner.get(partnerId);
    if (!hashes) return undefined;
    const hash = documentHash();
    if (hash !== undefined && hashes.has(hash)) return undefined;
    return new ForbiddenError('this partner may run only the operations of its safelist, and this one is not among them', {
      reason: 'OPERATION_NOT_SAFELISTED',
      ...(hash === undefined ? {} : { sha256: hash }),
    });
  }

  /** The same for a GraphQL request over HTTP, POST or GET. */
  refusalOfRequest(partnerId: string, req: Request): ForbiddenError | undefined {
    return this.refusal(partnerId, () => requestedDocumentHash(req));
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
}
