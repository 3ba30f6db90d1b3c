import { BadInputError } from '../common/errors';

export const MAX_DECISIONS_PER_CALL = 10_000;
const MAX_DUPLICATES_LISTED = 50;

/** Malformed ISRCs never get here (the ISRC scalar refuses them); size and duplicates are checked here. */
export function validateIsrcs(isrcs: readonly string[]): void {
  if (isrcs.length === 0) throw new BadInputError('isrcs: at least one ISRC is required', { field: 'isrcs' });
  if (isrcs.length > MAX_DECISIONS_PER_CALL) {
    throw new BadInputError(`isrcs: at most ${MAX_DECISIONS_PER_CALL} per call, got ${isrcs.length}`, {
      field: 'isrcs',
      maximum: MAX_DECISIONS_PER_CALL,
    });
  }
  const firstIndex = new Map<string, number>();
  const duplicates: { index: number; isrc: string; firstIndex: number }[] = [];
  isrcs.forEach((isrc, index) => {
    const seen = firstIndex.get(isrc);
    if (seen === undefined) firstIndex.set(isrc, index);
    else duplicates.push({ index, isrc, firstIndex: seen });
  });
  if (duplicates.length) {
    const [first] = duplicates;
    const more = duplicates.length > 1 ? ` (and ${duplicates.length - 1} more, see extensions.duplicates)` : '';
    throw new BadInputError(`isrcs[${first.index}] (${first.isrc}): duplicate of isrcs[${first.firstIndex}]${more}`, {
      field: 'isrcs',
      index: first.index,
      isrc: first.isrc,
      duplicates: duplicates.slice(0, MAX_DUPLICATES_LISTED),
    });
  }
}
