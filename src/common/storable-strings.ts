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

/** A value met while walking variables, with how it was reached (for the path of the one refused). */
interface Visit {
  value: unknown;
  parent?: Visit;
  step?: string | number;
}

/**
 * The first unstorable string inside a JSON value (GraphQL variables), in document order. Iterative:
 * variables can nest as deep as a body allows (8,000 levels overflowed a recursive walk's stack).
 */
export function firstUnstorableString(value: unknown, path: string): UnstorableString | undefined {
  const pending: Visit[] = [{ value }];
  for (let visit = pending.pop(); visit; visit = pending.pop()) {
    const current = visit.value;
    if (typeof current === 'string') {
      const problem = unstorable(current);
      if (problem) return { path: pathTo(visit, path), problem };
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i -= 1) pending.push({ value: current[i], parent: visit, step: i });
    } else if (current !== null && typeof current === 'object') {
      const entries = Object.entries(current);
      for (let i = entries.length - 1; i >= 0; i -= 1) pending.push({ value: entries[i][1], parent: visit, step: entries[i][0] });
    }
  }
  return undefined;
}

/** `input[1].artists[0].name`: spelt out only for the string refused. */
function pathTo(visit: Visit, root: string): string {
  const steps: (string | number)[] = [];
  for (let at: Visit | undefined = visit; at?.step !== undefined; at = at.parent) steps.push(at.step);
  return steps.reduceRight<string>((path, step) => {
    if (typeof step === 'number') return `${path}[${step}]`;
    return path ? `${path}.${step}` : step;
  }, root);
}
