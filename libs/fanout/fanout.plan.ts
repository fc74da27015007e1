/** A keyset range of follower ids: (after, through]; null ends are open. */
export interface FollowerRange {
  afterFollowerId: string | null;
  throughFollowerId: string | null;
  includeAuthor: boolean;
}

/**
 * Cuts an author's followers into batches from every batch-size-th follower id (ascending). The last range is
 * open-ended, so followers gained while planning are still covered; the author's own mailbox rides with the first.
 */
export function followerRanges(bounds: string[]): FollowerRange[] {
  const ranges: FollowerRange[] = [];
  let after: string | null = null;
  for (const bound of bounds) {
    ranges.push({ afterFollowerId: after, throughFollowerId: bound, includeAuthor: ranges.length === 0 });
    after = bound;
  }
  ranges.push({ afterFollowerId: after, throughFollowerId: null, includeAuthor: ranges.length === 0 });
  return ranges;
}

/**
 * The floor to pass with an author's newest `limit` posts: when there were `limit` of them, older ones may exist
 * beyond the lowest, so the mailbox is complete only from there up; otherwise it holds all of them ('0').
 */
export function floorOf(entries: readonly { postId: string }[], limit: number): string {
  return entries.length === limit && limit > 0 ? entries[limit - 1]!.postId : '0';
}
