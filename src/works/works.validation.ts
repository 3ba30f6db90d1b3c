import { BadInputError } from '../common/errors';
import { fromGlobalId } from '../common/relay/global-id';
import { ArtistRole } from './work-artist.entity';
import type { WorkInput } from './works.types';

export const MAX_WORKS_PER_CALL = 5000;
const TOTAL_BPS = 10_000;
const MAX_PROBLEMS_LISTED = 50;
/** An artist without ISNI is found by its name, through an index whose entries hold ~2.7 kB: 500 characters of any script fit. */
const MAX_ARTIST_NAME_LENGTH = 500;
const MAX_TITLE_LENGTH = 1000;

export interface Problem {
  index: number;
  isrc?: string;
  field: string;
  message: string;
}

/** The label uuids each input work names, once its global ids are known to be well formed. */
export interface ValidatedWork extends WorkInput {
  index: number;
  title: string;
  shareLabelIds: string[];
}

function problemsOf(input: WorkInput, index: number): Problem[] {
  const problems: Problem[] = [];
  const add = (field: string, message: string) => problems.push({ index, isrc: input.isrc, field, message });
  if (!input.title.trim()) add('title', 'title must not be empty');
  if (input.title.trim().length > MAX_TITLE_LENGTH) add('title', `title must be at most ${MAX_TITLE_LENGTH} characters`);
  // The LocalDate scalar takes "0000-01-01"; PostgreSQL's calendar has no year 0.
  if (input.releaseDate?.startsWith('0000')) add('releaseDate', 'releaseDate must be in year 0001 or later');
  if (!input.artists.some((a) => a.role === ArtistRole.MAIN)) add('artists', 'at least one MAIN artist is required');
  const artistKeys = input.artists.map((a) => a.isni ?? `name:${a.name.trim()}`);
  if (new Set(artistKeys).size !== artistKeys.length) add('artists', 'the same artist is credited twice');
  input.artists.forEach((artist, i) => {
    if (!artist.name.trim()) add(`artists[${i}].name`, 'artist name must not be empty');
    if (artist.name.trim().length > MAX_ARTIST_NAME_LENGTH) {
      add(`artists[${i}].name`, `artist name must be at most ${MAX_ARTIST_NAME_LENGTH} characters`);
    }
  });
  if (input.rightsholders.length === 0) add('rightsholders', 'at least one rights holder is required');
  let total = 0;
  input.rightsholders.forEach((share, i) => {
    if (!Number.isInteger(share.shareBps) || share.shareBps < 1 || share.shareBps > TOTAL_BPS) {
      add(`rightsholders[${i}].shareBps`, `shareBps must be between 1 and ${TOTAL_BPS}`);
    }
    total += share.shareBps;
    try {
      if (fromGlobalId(share.label).type !== 'Partner') throw new Error();
    } catch {
      add(`rightsholders[${i}].label`, `"${share.label}" is not a partner id`);
    }
  });
  if (input.rightsholders.length && total !== TOTAL_BPS) {
    add('rightsholders', `shares sum to ${total} bps, expected exactly ${TOTAL_BPS}`);
  }
  const labels = input.rightsholders.map((s) => s.label);
  if (new Set(labels).size !== labels.length) add('rightsholders', 'the same label is listed twice');
  return problems;
}

export function rejectProblems(problems: Problem[]): void {
  if (problems.length === 0) return;
  const [first] = problems;
  const where = `input[${first.index}]${first.isrc ? ` (${first.isrc})` : ''}.${first.field}`;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem(s), see extensions.problems)` : '';
  throw new BadInputError(`${where}: ${first.message}${more}`, {
    field: first.field,
    index: first.index,
    isrc: first.isrc,
    problems: problems.slice(0, MAX_PROBLEMS_LISTED),
  });
}

/** Checks everything that needs no database; throws BAD_USER_INPUT naming every offending item. */
export function validateWorks(inputs: WorkInput[]): ValidatedWork[] {
  if (inputs.length === 0) throw new BadInputError('input: at least one work is required', { field: 'input' });
  if (inputs.length > MAX_WORKS_PER_CALL) {
    throw new BadInputError(`input: at most ${MAX_WORKS_PER_CALL} works per call, got ${inputs.length}`, {
      field: 'input',
      maximum: MAX_WORKS_PER_CALL,
    });
  }
  const problems: Problem[] = [];
  const firstIndex = new Map<string, number>();
  inputs.forEach((input, index) => {
    const seen = firstIndex.get(input.isrc);
    if (seen !== undefined) {
      problems.push({ index, isrc: input.isrc, field: 'isrc', message: `duplicate of input[${seen}] in the same call` });
    } else firstIndex.set(input.isrc, index);
    problems.push(...problemsOf(input, index));
  });
  rejectProblems(problems);
  return inputs.map((input, index) => ({
    ...input,
    index,
    title: input.title.trim(),
    artists: input.artists.map((a) => ({ ...a, name: a.name.trim() })),
    shareLabelIds: input.rightsholders.map((s) => fromGlobalId(s.label).id),
  }));
}
