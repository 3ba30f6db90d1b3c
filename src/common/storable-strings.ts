/**
 * Strings a partner sends that the database cannot keep as sent, refused before anything runs instead
 * of failing (or being altered) on the way in: NUL characters (text columns refuse them), lone UTF-16
 * surrogates (not Unicode: JSON columns refuse them, text columns replace them) and strings longer than
 * any field needs (errors and logs repeat what they are given).
 */
export const MAX_INPUT_STRING_LENGTH = 10_000;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why `text` cannot be stored as given; undefined when it can. */
export function unstorable(text: string): string | undefined {
  if (text.length > MAX_INPUT_STRING_LENGTH) {
    return `is ${text.length} characters long, more than the ${MAX_INPUT_STRING_LENGTH} allowed`;
  }
  if (text.includes('\u0000')) return 'contains a NUL character (U+0000)';
  if (LONE_SURROGATE.test(text)) return 'contains a lone UTF-16 surrogate, which is not Unicode text';
  return undefined;
}

export interface UnstorableString {
  /** Where the string is, e.g. `input[3].title`. */
  path: string;
  problem: string;
}

/** The first unstorable string inside a JSON value (GraphQL variables), depth first. */
export function firstUnstorableString(value: unknown, path: string): UnstorableString | undefined {
  const found = find(value);
  return found && { path: found.steps.reduceRight(stepInto, path), problem: found.problem };
}

function stepInto(path: string, step: string | number): string {
  if (typeof step === 'number') return `${path}[${step}]`;
  return path ? `${path}.${step}` : step;
}

/** The problem and the steps to it, innermost first: paths are only spelt out for what is refused. */
function find(value: unknown): { steps: (string | number)[]; problem: string } | undefined {
  if (typeof value === 'string') {
    const problem = unstorable(value);
    return problem ? { steps: [], problem } : undefined;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      const found = find(value[i]);
      if (found) return { steps: [...found.steps, i], problem: found.problem };
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const found = find(item);
      if (found) return { steps: [...found.steps, key], problem: found.problem };
    }
  }
  return undefined;
}
