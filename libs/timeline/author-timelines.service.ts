import { Injectable } from '@nestjs/common';
import type { MailboxRead } from '#libs/contract';
import { AuthorTimelineStore, type AuthorTimelineRead } from '#libs/mailbox';

/** More cached authors than any realistic pull-mode set: beyond it the cache starts over. */
const MAX_CACHED = 1000;

interface Cached {
  version: string;
  floor: number;
  /** Post ids newest first, and the same as numbers (53-bit ids are exact doubles) for searching. */
  ids: string[];
  nums: number[];
}

export interface AuthorPosts {
  /** Per author read from Redis: the ids that can make the page, newest first. */
  lists: string[][];
  /** Authors to read from PostgreSQL instead: no timeline in Redis, or one trimmed above the page's range. */
  fromDatabase: string[];
  /** Of those, the authors whose timeline is missing (to rebuild). */
  missing: string[];
}

/**
 * The timelines of the pull-mode authors a reader follows, for hybrid reads. Each process keeps every timeline it has
 * read until Redis says its version moved: a read costs one small round trip per page (one HMGET of versions per
 * shard) instead of every followed celebrity's posts. The version moves in the same script as the change, and the
 * worker makes the change before it marks the event delivered, so a read after the queue drained sees it.
 */
@Injectable()
export class AuthorTimelinesService {
  private readonly cache = new Map<string, Cached>();

  constructor(private readonly store: AuthorTimelineStore) {}

  /** The versions a mailbox read found (MailboxStore.read with `versions`), for `window`'s `known`. */
  versionsRead(readerId: string, read: MailboxRead): Map<string, string | undefined> {
    return this.store.known(readerId, read);
  }

  /**
   * Posts of each author with `lowest` <= id < `before`, at most `want` each. `known`: versions already read (by
   * author; undefined for a timeline not published), so they are not asked for again.
   */
  async window(
    authorIds: string[],
    before: string | null,
    lowest: string,
    want: number,
    known: Map<string, string | undefined> = new Map(),
  ): Promise<AuthorPosts> {
    const replies = await this.changes(authorIds, known);
    const upper = before === null ? Infinity : Number(before);
    const low = Number(lowest);
    const out: AuthorPosts = { lists: [], fromDatabase: [], missing: [] };
    for (const reply of replies) {
      if (reply.status === 'missing') {
        this.cache.delete(reply.authorId);
        out.fromDatabase.push(reply.authorId);
        out.missing.push(reply.authorId);
        continue;
      }
      if (reply.status === 'changed') this.remember(reply.authorId, reply.version, reply.floor, reply.entries);
      const cached = this.cache.get(reply.authorId);
      if (!cached) {
        out.fromDatabase.push(reply.authorId);
        continue;
      }
      const ids = slice(cached, upper, Math.max(low, cached.floor), want);
      // Complete for the range when it reaches down to `lowest`, or when this author alone fills the page.
      if (ids.length === want || cached.floor <= low) {
        if (ids.length > 0) out.lists.push(ids);
      } else out.fromDatabase.push(reply.authorId);
    }
    return out;
  }

  /**
   * What moved among the authors' timelines since this process cached them. The shards' versions hashes answer for
   * all of them with plain HMGETs (no script looks at each author's state); only timelines that moved, are not cached
   * here, or are not published there (missing, or built before versions were) are asked for with the script.
   */
  private async changes(authorIds: string[], known: Map<string, string | undefined>): Promise<AuthorTimelineRead[]> {
    const unknown = authorIds.filter((id) => !known.has(id));
    const fetched = unknown.length > 0 ? await this.store.versions(unknown) : [];
    const versionOf = new Map(known);
    unknown.forEach((id, i) => versionOf.set(id, fetched[i]));
    const stale = authorIds.filter((id) => {
      const version = versionOf.get(id);
      return version === undefined || this.cache.get(id)?.version !== version;
    });
    const read = new Map<string, AuthorTimelineRead>();
    if (stale.length > 0) {
      const replies = await this.store.readChanged(
        stale,
        stale.map((id) => this.cache.get(id)?.version),
      );
      for (const reply of replies) read.set(reply.authorId, reply);
    }
    return authorIds.map((authorId) => read.get(authorId) ?? { authorId, status: 'unchanged' });
  }

  private remember(authorId: string, version: string, floor: string, entries: { postId: string }[]): void {
    if (this.cache.size >= MAX_CACHED) this.cache.clear();
    const ids = entries.map((e) => e.postId);
    this.cache.set(authorId, { version, floor: Number(floor), ids, nums: ids.map(Number) });
  }
}

/** Ids below `upper` and at or above `lower`, newest first, at most `want` (binary search on the descending list). */
function slice(cached: Cached, upper: number, lower: number, want: number): string[] {
  const { nums, ids } = cached;
  let lo = 0;
  let hi = nums.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (nums[mid]! >= upper) lo = mid + 1;
    else hi = mid;
  }
  const out: string[] = [];
  for (let i = lo; i < nums.length && out.length < want && nums[i]! >= lower; i++) out.push(ids[i]!);
  return out;
}
