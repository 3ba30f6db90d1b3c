/** Rows grouped by a key, in the order met. */
export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}

/** For a DataLoader batch: the rows of each requested key, in the order of the keys (empty when none). */
export function groupsFor<T>(keys: readonly string[], items: readonly T[], key: (item: T) => string): T[][] {
  const groups = groupBy(items, key);
  return keys.map((k) => groups.get(k) ?? []);
}
