import { BadInputError } from '../common/errors';
import { fromGlobalId } from '../common/relay/global-id';
import { WORLD } from '../common/scalars/territory';
import type { UseType } from '../common/use-type';
import { ConsentState, type EvidenceMethod } from './consent-record.entity';
import type { ConsentCoverageInput, RecordConsentInput, WithdrawConsentInput } from './consent.types';

export const MAX_CONSENT_SUBJECTS_PER_CALL = 5000;
const MAX_PROBLEMS_LISTED = 50;
/** Clock skew tolerated for a withdrawal's effectiveFrom sent as "now" by a client. */
const WITHDRAWAL_SKEW_MS = 60_000;
const SHA256_HEX = /^[0-9a-f]{64}$/;

export interface ConsentProblem {
  field: string;
  index?: number;
  item?: string;
  message: string;
}

/** A consent choice checked and normalized, ready to write for each of its subjects. */
export interface ConsentDeclaration {
  isrcs: string[];
  artistIds: string[];
  useTypes: UseType[];
  territories: string[];
  excludedTerritories: string[];
  /** Null: the moment of recording. */
  validFrom: Date | null;
  validUntil: Date | null;
  state: ConsentState;
  grantedByName: string;
  grantedByIsni: string | null;
  evidenceMethod: EvidenceMethod;
  evidenceDocumentHash: string | null;
  evidenceUrl: string | null;
}

export function rejectConsentProblems(problems: ConsentProblem[]): void {
  if (problems.length === 0) return;
  const [first] = problems;
  const where = `${first.field}${first.index === undefined ? '' : `[${first.index}]`}${first.item ? ` (${first.item})` : ''}`;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem(s), see extensions.problems)` : '';
  throw new BadInputError(`${where}: ${first.message}${more}`, {
    field: first.field,
    index: first.index,
    item: first.item,
    problems: problems.slice(0, MAX_PROBLEMS_LISTED),
  });
}

function duplicates(field: string, items: readonly string[], problems: ConsentProblem[]): void {
  const firstIndex = new Map<string, number>();
  items.forEach((item, index) => {
    const seen = firstIndex.get(item);
    if (seen === undefined) firstIndex.set(item, index);
    else problems.push({ field, index, item, message: `duplicate of ${field}[${seen}]` });
  });
}

function artistIdsOf(artists: readonly string[], problems: ConsentProblem[]): string[] {
  return artists.map((artist, index) => {
    try {
      const decoded = fromGlobalId(artist);
      if (decoded.type === 'Artist') return decoded.id;
    } catch {
      // reported below, with every other problem
    }
    problems.push({ field: 'artists', index, item: artist, message: 'not an artist id' });
    return '';
  });
}

function coverageOf(input: ConsentCoverageInput, problems: ConsentProblem[]) {
  const isrcs = input.works ?? [];
  const artists = input.artists ?? [];
  const subjects = isrcs.length + artists.length;
  if (subjects === 0) problems.push({ field: 'works', message: 'name at least one work or artist' });
  if (subjects > MAX_CONSENT_SUBJECTS_PER_CALL) {
    problems.push({ field: 'works', message: `at most ${MAX_CONSENT_SUBJECTS_PER_CALL} works and artists per call, got ${subjects}` });
  }
  duplicates('works', isrcs, problems);
  const artistIds = artistIdsOf(artists, problems);
  duplicates('artists', artists, problems);

  if (input.useTypes.length === 0) problems.push({ field: 'useTypes', message: 'name at least one use type' });
  const territories = [...new Set(input.territories)];
  const excludedTerritories = [...new Set(input.excludedTerritories ?? [])];
  if (territories.length === 0) problems.push({ field: 'territories', message: 'name at least one territory, or WORLD' });
  if (territories.includes(WORLD) && territories.length > 1) {
    problems.push({ field: 'territories', message: 'WORLD already covers every country; list exceptions in excludedTerritories' });
  }
  if (excludedTerritories.length && !territories.includes(WORLD)) {
    problems.push({ field: 'excludedTerritories', message: 'exclusions apply to WORLD only' });
  }
  if (excludedTerritories.includes(WORLD)) {
    problems.push({ field: 'excludedTerritories', message: 'WORLD cannot be excluded' });
  }

  const grantedByName = input.grantedBy.name.trim();
  if (!grantedByName) problems.push({ field: 'grantedBy.name', message: 'must not be empty' });
  const documentHash = input.evidence.documentHash?.trim().toLowerCase() || null;
  if (documentHash && !SHA256_HEX.test(documentHash)) {
    problems.push({ field: 'evidence.documentHash', message: 'expected a SHA-256 as 64 hex digits' });
  }
  const url = input.evidence.url?.trim() || null;
  if (url && !isHttpsUrl(url)) problems.push({ field: 'evidence.url', message: 'expected an https URL' });

  return {
    isrcs,
    artistIds,
    useTypes: [...new Set(input.useTypes)],
    territories,
    excludedTerritories,
    grantedByName,
    grantedByIsni: input.grantedBy.isni ?? null,
    evidenceMethod: input.evidence.method,
    evidenceDocumentHash: documentHash,
    evidenceUrl: url,
  };
}

function isHttpsUrl(value: string): boolean {
  try {
    return new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
}

/** Also raised by the service when the database's clock, which dates a record without validFrom, has passed validUntil. */
export const VALID_UNTIL_NOT_AFTER_VALID_FROM: ConsentProblem = {
  field: 'validUntil',
  message: 'must be after validFrom (or now, when validFrom is left out)',
};

export function validateRecordConsent(input: RecordConsentInput, now = new Date()): ConsentDeclaration {
  const problems: ConsentProblem[] = [];
  const coverage = coverageOf(input, problems);
  const from = input.validFrom ?? now;
  if (input.validUntil && input.validUntil <= from) problems.push(VALID_UNTIL_NOT_AFTER_VALID_FROM);
  rejectConsentProblems(problems);
  return { ...coverage, validFrom: input.validFrom ?? null, validUntil: input.validUntil ?? null, state: input.state };
}

export function validateWithdrawal(input: WithdrawConsentInput, now = new Date()): ConsentDeclaration {
  const problems: ConsentProblem[] = [];
  const coverage = coverageOf(input, problems);
  if (input.effectiveFrom && input.effectiveFrom.getTime() < now.getTime() - WITHDRAWAL_SKEW_MS) {
    problems.push({ field: 'effectiveFrom', message: 'a withdrawal cannot take effect in the past' });
  }
  rejectConsentProblems(problems);
  return { ...coverage, validFrom: input.effectiveFrom ?? null, validUntil: null, state: ConsentState.WITHDRAWN };
}
