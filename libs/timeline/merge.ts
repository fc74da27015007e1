/** Newest first by id (ids are decimal strings of 53-bit integers, so compare as numbers). */
export function byIdDesc(a: { id: string }, b: { id: string }): number {
  return a.id.length !== b.id.length ? b.id.length - a.id.length : a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/**
 * Merges candidate lists into one newest-first list without duplicate ids, keeping the first of each id. A single
 * list must already be newest first without repeats (a mailbox page is).
 */
export function mergeNewestFirst<T extends { id: string }>(lists: T[][], limit: number): T[] {
  // A mailbox page alone is already newest first and without repeats (the common push read).
  if (lists.length === 1) return lists[0]!.slice(0, limit);
  // Ids are at most 2^53, so as numbers they compare exactly, and far faster than as strings.
  const keyed = lists.flat().map((item) => ({ key: Number(item.id), item }));
  keyed.sort((a, b) => b.key - a.key);
  const merged: T[] = [];
  let last = NaN;
  for (const { key, item } of keyed) {
    if (key === last) continue;
    last = key;
    merged.push(item);
    if (merged.length === limit) break;
  }
  return merged;
}

export function minId(a: string | null, b: string): string {
  if (a === null) return b;
  return byIdDesc({ id: a }, { id: b }) > 0 ? a : b;
}
