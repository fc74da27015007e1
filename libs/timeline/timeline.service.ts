import { Injectable, Logger } from '@nestjs/common';
import type { Reader } from '#libs/db';
import { isRedisOutage } from '#libs/errors';
import type { Strategy } from '#libs/config';
import { FlagsService, type FlagsSnapshot } from '#libs/flags';
import { MailboxStore } from '#libs/mailbox';
import { FanoutQueue } from '#libs/jobs';
import { decodeCursor, encodeCursor, type Page } from '#libs/paging';
import { PostsService, type TimelineItem } from '#libs/posts';
import { AuthorTimelinesService } from './author-timelines.service.js';
import { DatabaseTimeline } from './database.timeline.js';
import { atOrAbove, mergeNewestFirst, minId } from './merge.js';
import type { RequestCharge } from './request.charge.js';

export type TimelineSource = 'mailbox' | 'database';

export interface TimelinePage extends Page<TimelineItem> {
  strategy: Strategy;
  /** Where the page came from: the mailbox (merged with pull-mode authors), or PostgreSQL. */
  source: TimelineSource;
}

/**
 * A post that can make the page: its id, to be read from the post cache, or the item PostgreSQL already returned. Ids
 * stay bare strings: a hybrid read that follows many celebrities merges hundreds of candidates for the page's 20.
 */
type Candidate = string | TimelineItem;
const idOf = (candidate: Candidate) => (typeof candidate === 'string' ? candidate : candidate.id);

const BUILD_REQUEST_INTERVAL_MS = 5000;
const FALLBACK_LOG_INTERVAL_MS = 5000;

/**
 * Home timelines. Pull is the SQL join. Push and hybrid read the same way: the mailbox, merged with the posts
 * of followed authors whose posts the write path left out (celebrities under hybrid, or authors still being
 * backfilled), with PostgreSQL below the mailbox's floor. They differ in what the write path fans out.
 */
@Injectable()
export class TimelineService {
  private readonly logger = new Logger('Timeline');
  private lastFallbackLog = 0;
  /** When this process last asked for each missing author timeline to be rebuilt. */
  private readonly buildRequested = new Map<string, number>();

  constructor(
    private readonly flags: FlagsService,
    private readonly mailbox: MailboxStore,
    private readonly authorTimelines: AuthorTimelinesService,
    private readonly database: DatabaseTimeline,
    private readonly postsService: PostsService,
    private readonly queue: FanoutQueue,
  ) {}

  /**
   * A page of the reader's timeline. With `charge`, the request is counted against the reader's rate limit first (in
   * the mailbox read's script when there is one) and refused RATE_LIMITED over it (see RequestCharge).
   */
  async read(
    readerId: string,
    requested: Strategy | undefined,
    cursor: string | undefined,
    limit: number,
    charge?: RequestCharge,
  ) {
    const snapshot = this.flags.current();
    const strategy = requested ?? snapshot.flags.strategy;
    const before = cursor === undefined ? null : decodeCursor(cursor, 1)[0]!;
    const via = this.database.routeFor(readerId);
    // Under a global pull nothing fans out, so no mailbox is whole: every strategy reads PostgreSQL.
    if (strategy !== 'pull' && snapshot.flags.strategy !== 'pull') {
      const items = await this.fromMailboxUnlessDown(readerId, snapshot, before, limit, via, charge);
      if (Array.isArray(items)) return this.page(items, limit, strategy, 'mailbox');
      // The next read asks again if this request does not get through.
      if (items === null) {
        await this.queue.requestMailboxRebuild(readerId, snapshot.mailboxEpoch).catch((e: Error) => this.fellBack(e));
      }
    }
    if (charge && !charge.taken) await this.countRequest(readerId, charge);
    return this.page(await this.database.page(readerId, before, limit, via), limit, strategy, 'database');
  }

  /**
   * Counts a request on its own (a read that did not read the mailbox, or a request refused before the read); while
   * Redis is away it goes uncounted. Throws RATE_LIMITED over the limit.
   */
  async countRequest(readerId: string, charge: RequestCharge): Promise<void> {
    const count = await this.mailbox.countRequest(readerId, charge.windowMs).catch((error: unknown) => {
      if (isRedisOutage(error)) return null;
      throw error;
    });
    charge.took(count);
  }

  /**
   * The mailbox's page, or null when the mailbox is missing, being rebuilt or stale, or 'down' when Redis does not
   * answer: then the reader gets PostgreSQL's page (the same posts, slower) instead of an error.
   */
  private async fromMailboxUnlessDown(
    readerId: string,
    snapshot: FlagsSnapshot,
    before: string | null,
    limit: number,
    via: Reader,
    charge: RequestCharge | undefined,
  ) {
    try {
      return await this.fromMailbox(readerId, snapshot, before, limit, via, charge);
    } catch (error) {
      // Only Redis: PostgreSQL failing under the mailbox read would fail the join just the same, at twice the cost.
      if (!isRedisOutage(error)) throw error;
      this.fellBack(error as Error);
      return 'down' as const;
    }
  }

  /** Logged at most every few seconds: during an outage every read would log it. */
  private fellBack(error: Error): void {
    const now = Date.now();
    if (now - this.lastFallbackLog < FALLBACK_LOG_INTERVAL_MS) return;
    this.lastFallbackLog = now;
    this.logger.warn(`Redis did not answer, timelines are read from PostgreSQL: ${error.message}`);
  }

  /** Null when the mailbox is missing, being rebuilt, or from an older epoch. The first read takes the charge. */
  private async fromMailbox(
    readerId: string,
    snapshot: FlagsSnapshot,
    before: string | null,
    limit: number,
    via: Reader,
    charge: RequestCharge | undefined,
  ) {
    const result: TimelineItem[] = [];
    let cursor = before;
    while (result.length < limit) {
      const want = limit - result.length;
      const count = charge?.taken === false ? charge : undefined;
      // The celebrity timelines' versions come with the mailbox when any author is in pull mode (a round trip less).
      const versions = snapshot.pullAuthors.size > 0;
      const read = await this.mailbox.read(readerId, snapshot.mailboxEpoch, cursor, want, { count, versions });
      count?.took(read.requests);
      if (!read.valid) return null;
      // The mailbox says which pull-mode authors the reader follows: a read never looks at the others.
      const pullAuthors = read.pullFollowees.filter((id) => snapshot.pullAuthors.has(id));
      if (snapshot.pullAuthors.has(readerId)) pullAuthors.push(readerId);
      const lists: Candidate[][] = [read.entries.map((e) => e.postId)];
      // The mailbox's page is complete down to its bound; the pull-mode authors' posts are taken down to it too.
      if (pullAuthors.length > 0) {
        const known = this.authorTimelines.versionsRead(readerId, read);
        lists.push(...(await this.pullAuthorsPosts(pullAuthors, cursor, want, read.bound, via, known)));
      }
      // The mailbox holds everything at or above its floor; below it, PostgreSQL has the rest.
      if (read.exhausted && read.floor !== '0') {
        lists.push(await this.database.page(readerId, minId(cursor, read.floor), want, via));
      }
      const merged = mergeNewestFirst(lists, want, idOf);
      result.push(...(await this.hydrate(merged, via)));
      if (merged.length === want) cursor = idOf(merged[merged.length - 1]!);
      else if (read.exhausted) break;
      else cursor = read.bound;
    }
    return result;
  }

  /**
   * Posts of the pull-mode authors the reader follows that can make the page (ids from `lowest` up to `before`),
   * from their timelines in Redis. An author whose timeline is not built (Redis lost it) or may lack posts in that
   * range (trimmed above `lowest`) is read from PostgreSQL, and a missing timeline is rebuilt in the background.
   */
  private async pullAuthorsPosts(
    authorIds: string[],
    before: string | null,
    want: number,
    lowest: string,
    via: Reader,
    known: Map<string, string | undefined>,
  ): Promise<Candidate[][]> {
    const found = await this.authorTimelines.window(authorIds, before, lowest, want, known);
    const lists: Candidate[][] = [...found.lists];
    if (found.fromDatabase.length > 0) {
      // Down to `lowest` only, as the timelines in Redis are: below it the mailbox has posts this page has not read,
      // and a post taken from there would move the cursor past them (and come again on the next round).
      const rows = await this.database.byAuthors(found.fromDatabase, before, want, via);
      lists.push(rows.filter((item) => atOrAbove(item.id, lowest)));
    }
    await this.requestBuilds(found.missing);
    return lists;
  }

  /**
   * Asks the worker to rebuild author timelines Redis lost: in one round trip, and at most once every few seconds
   * per author and process (every hybrid read meanwhile would ask again).
   */
  private async requestBuilds(authorIds: string[]): Promise<void> {
    const now = Date.now();
    const due = authorIds.filter((id) => (this.buildRequested.get(id) ?? 0) < now - BUILD_REQUEST_INTERVAL_MS);
    if (due.length === 0) return;
    for (const id of due) this.buildRequested.set(id, now);
    if (this.buildRequested.size > 10_000) this.buildRequested.clear();
    // A request that does not get through is made again by a later read: it must not cost this read its page.
    await this.queue.requestAuthorTimelines(due).catch((error: Error) => this.fellBack(error));
  }

  /** Posts deleted after they were delivered are dropped here; the caller then reads further to fill the page. */
  private async hydrate(candidates: Candidate[], via: Reader): Promise<TimelineItem[]> {
    const unread = candidates.filter((c): c is string => typeof c === 'string');
    const bodies = await this.postsService.hydrate(unread, via);
    return candidates.flatMap((c) => {
      const item = typeof c === 'string' ? bodies.get(c) : c;
      return item && item !== 'deleted' ? [item] : [];
    });
  }

  private page(items: TimelineItem[], limit: number, strategy: Strategy, source: TimelineSource): TimelinePage {
    const last = items[items.length - 1];
    return { items, nextCursor: items.length === limit && last ? encodeCursor([last.id]) : null, strategy, source };
  }
}
