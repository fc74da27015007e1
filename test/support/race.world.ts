import fc from 'fast-check';
import { expect } from 'vitest';
import type { Strategy } from '#libs/config';
import { FanoutModule, MailboxRebuildHandler } from '#libs/fanout';
import { FlagsRepository, FlagsService } from '#libs/flags';
import { FanoutQueue } from '#libs/jobs';
import { AuthorTimelineStore, MailboxStore } from '#libs/mailbox';
import { PostCacheStore, PostsRepository, PostsService } from '#libs/posts';
import { RedisService } from '#libs/redis';
import { FollowsRepository, FollowsService, PullModeRepository } from '#libs/social';
import { TimelineModule, TimelineService } from '#libs/timeline';
// Not exported by the library (only its handlers use it); hooked like the repositories.
import { PullModeService } from '../../libs/fanout/pull-mode.service.js';
import { aUser, db, useFlags, type TestUser } from '../factories/index.js';
import { describeOp, historyOf, Model, type Change, type History, type Profile, type Start } from './race.history.js';
import { RaceJobs } from './race.jobs.js';
import { Interleaver, SequentialScheduler, type Picker } from './race.scheduler.js';
import { startServices, type Services } from './services.harness.js';

const PAGE = 4;

/**
 * The product's services on the test database and a Redis prefix of their own, with fast-check's scheduler at every
 * I/O boundary the fan-out jobs cross: the mailbox and author timeline stores, the follows, posts, flags and
 * pull-mode repositories, pull-mode changes and the post cache (each call one step, in an order fast-check picks).
 */
export class RaceWorld {
  private readonly interleaver = new Interleaver();
  private readonly jobs: RaceJobs;
  private users: TestUser[] = [];
  private model = new Model();
  private names = new Map<string, string>();
  private commits = 0;

  private constructor(readonly services: Services) {
    const hook = this.interleaver.hook.bind(this.interleaver);
    const get = services.get;
    const builds = ['beginBuild', 'setFollowees', 'finishBuild'] as const;
    hook(get(MailboxStore), ['deliver', 'retractAuthor', 'addFollowee', 'addPullAuthor', ...builds]);
    hook(get(AuthorTimelineStore), ['append', 'retract', 'beginBuild', 'finishBuild']);
    hook(get(FollowsRepository), ['state', 'followees', 'batchBounds', 'followersInRange']);
    hook(get(PostsRepository), ['fanoutFacts', 'recentRefs', 'pullRefs']);
    hook(get(FlagsRepository), ['read']);
    hook(get(PullModeRepository), ['state', 'authors']);
    hook(get(PullModeService), ['enter', 'leave']);
    hook(get(PostCacheStore), ['markDeleted']);
    this.interleaver.describe = (arg) => this.describe(arg);
    this.jobs = new RaceJobs(services, this.interleaver, this.interleaver.describe);
  }

  static async start(): Promise<RaceWorld> {
    return new RaceWorld(await startServices([FanoutModule, TimelineModule]));
  }

  async close(): Promise<void> {
    await this.services.close();
  }

  /** After any history, with its jobs interleaved as fast-check picks, push and hybrid read every page as pull does. */
  property(profile: Profile) {
    return fc.asyncProperty(historyOf(profile), fc.scheduler(), (history, scheduler) => this.run(history, scheduler));
  }

  /** The same, with every job run alone before the next change commits: the histories without their races. */
  sequentialProperty(profile: Profile) {
    return fc.asyncProperty(historyOf(profile), (history) => this.run(history, new SequentialScheduler()));
  }

  async run({ start, bursts }: History, scheduler: Picker): Promise<void> {
    await this.setUp(start);
    for (const burst of bursts) {
      const commits = async () => {
        for (const change of burst) {
          // Think time: each of these steps lets fast-check run others' steps before the commit.
          for (let i = 0; i < change.gap; i++) await this.interleaver.step('waits', [], async () => undefined);
          const index = this.commits++;
          const what = `commits ${describeOp(change, this.model)}`;
          await this.interleaver.step(what, [], () => this.commit(change, index));
        }
      };
      await this.interleaver.run(scheduler, [['history', commits]], () => this.jobs.pump());
      await this.settle();
      await this.check();
    }
  }

  private async setUp(start: Start): Promise<void> {
    await this.jobs.reset();
    // Authors of earlier runs leave pull mode, so flag changes here do not demote them.
    await db().user.updateMany({ where: { pullMode: true }, data: { pullMode: false } });
    const { mailboxSize, strategy, threshold } = start;
    await useFlags({ strategy, celebrityThreshold: threshold, mailboxSize, fanoutBatchSize: 100 });
    this.users = await aUser().named('race').createMany(start.posts.length);
    this.model = new Model();
    this.names = new Map(this.users.map((u, i) => [u.id, `u${i}`]));
    this.commits = 0;
    await this.writeGraph(start);
    const rebuilds = this.services.get(MailboxRebuildHandler);
    for (const [i, has] of start.mailboxes.entries()) if (has) await rebuilds.rebuild(this.users[i]!.id);
  }

  /**
   * The starting follows and posts, with the users' counters, in three statements (the factories take one transaction
   * per row, which was most of a run's set-up). No outbox events: nothing has a mailbox yet.
   */
  private async writeGraph(start: Start): Promise<void> {
    const ids = this.users.map((u) => BigInt(u.id));
    const follows = start.follows.map(([from, to]) => ({ followerId: ids[from]!, followeeId: ids[to]! }));
    for (const [from, to] of start.follows) this.model.follows.add(`${from}>${to}`);
    const authors = start.posts.flatMap((count, author) => Array.from({ length: count }, () => author));
    await db().follow.createMany({ data: follows });
    const rows = await db().post.createManyAndReturn({
      data: authors.map((author) => ({ authorId: ids[author]!, body: `post by u${author}` })),
      select: { id: true, authorId: true },
    });
    for (const row of rows.sort((a, b) => (a.id < b.id ? -1 : 1)))
      this.posted(row.id.toString(), ids.indexOf(row.authorId));
    await db().$executeRawUnsafe(
      `UPDATE users u SET
         followers_count = (SELECT count(*) FROM follows WHERE followee_id = u.id),
         following_count = (SELECT count(*) FROM follows WHERE follower_id = u.id),
         posts_count = (SELECT count(*) FROM posts WHERE author_id = u.id AND deleted_at IS NULL)
       WHERE u.id = ANY($1::bigint[])`,
      this.users.map((u) => u.id),
    );
  }

  /** The PostgreSQL side of a change, committed by the product's services (which enqueue its job). */
  private async commit(change: Change, index: number): Promise<void> {
    const get = this.services.get;
    const id = (user: number) => this.users[user]!.id;
    switch (change.kind) {
      case 'follow':
      case 'unfollow':
        await get(FollowsService)[change.kind](id(change.from), id(change.to));
        this.model.follows[change.kind === 'follow' ? 'add' : 'delete'](`${change.from}>${change.to}`);
        return;
      case 'post':
        return this.posted((await get(PostsService).create(id(change.author), `post ${index}`)).id, change.author);
      case 'delete': {
        const post = this.model.deleteTarget(change.author);
        if (!post) return;
        await get(PostsService).delete(id(post.author), post.id);
        post.deleted = true;
        return;
      }
      case 'rebuild': {
        // As a reader or the admin asks for it; a round of its own, so it may run beside another rebuild.
        const epoch = get(FlagsService).current().mailboxEpoch;
        return get(FanoutQueue).requestMailboxRebuilds(change.users.map(id), epoch, `r${index}`);
      }
      case 'forget': {
        const keys = get(RedisService).keys;
        const owner = id(change.user);
        const lost = [keys.mailbox(owner), keys.mailboxState(owner), keys.following(owner), keys.pullFollowees(owner)];
        await get(RedisService).client.del(...lost);
        return;
      }
      case 'threshold':
        await get(FlagsService).update({ celebrityThreshold: change.value });
        return;
      case 'strategy':
        await get(FlagsService).update({ strategy: change.strategy });
        return;
    }
  }

  private posted(id: string, author: number): void {
    this.model.posts.push({ id, author, deleted: false });
    this.names.set(id, `p${this.model.posts.length - 1}`);
  }

  /**
   * The queue has drained. Reads find the mailboxes that are missing, stale or mid-rebuild and ask for rebuilds, as
   * in production; those run, until every mailbox is readable.
   */
  private async settle(): Promise<void> {
    const timeline = this.services.get(TimelineService);
    for (let round = 0; round < 4; round++) {
      await this.services.get(FlagsService).refresh();
      const sources = [];
      for (const u of this.users) sources.push((await timeline.read(u.id, 'push', undefined, PAGE)).source);
      const ran = await this.jobs.runAlone();
      if (!ran && sources.every((s) => s === 'mailbox')) return;
    }
    throw new Error('mailboxes still not readable after four rounds of rebuilds');
  }

  /** Every page of every user's timeline: pull as the history says, push and hybrid as pull, from the mailbox. */
  private async check(): Promise<void> {
    for (const [i, u] of this.users.entries()) {
      const pull = await this.pages(u, 'pull');
      expect(pull.ids.flat(), `u${i} under pull`).toEqual(this.model.timeline(i).map((id) => this.describe(id)));
      for (const strategy of ['push', 'hybrid'] as const) {
        const read = await this.pages(u, strategy);
        expect(read.ids, `u${i} under ${strategy}`).toEqual(pull.ids);
        expect(read.firstSource, `u${i} under ${strategy}`).toBe('mailbox');
      }
    }
  }

  private async pages(user: TestUser, strategy: Strategy) {
    const timeline = this.services.get(TimelineService);
    const ids: string[][] = [];
    let cursor: string | undefined;
    let firstSource: string | undefined;
    do {
      const page = await timeline.read(user.id, strategy, cursor, PAGE);
      firstSource ??= page.source;
      ids.push(page.items.map((item) => this.describe(item.id)));
      cursor = page.nextCursor ?? undefined;
      if (ids.length > 30) throw new Error(`${this.describe(user.id)}: the cursor does not advance`);
    } while (cursor);
    return { ids, firstSource };
  }

  /** Ids as u0…/p0… (users and posts of this history), so a counterexample reads as the history. */
  private describe(arg: unknown, depth = 0): string {
    if (typeof arg === 'string') return this.names.get(arg) ?? (arg.length > 12 ? `${arg.slice(0, 8)}…` : arg);
    // A service passed along (the database a build reads through) is not walked: it refers to itself.
    if (depth > 3 || typeof (arg as { prepared?: unknown } | null)?.prepared === 'function') return '…';
    if (Array.isArray(arg)) return `[${arg.map((a) => this.describe(a, depth + 1)).join(' ')}]`;
    if (arg && typeof arg === 'object') {
      const { postId, entries, ...rest } = arg as { postId?: string; entries?: unknown[] };
      if (postId) return this.describe(postId);
      const fields = Object.entries(rest).filter(([, v]) => v !== null && typeof v !== 'boolean');
      const shown = fields.map(([k, v]) => `${k}=${this.describe(v, depth + 1)}`);
      if (entries) shown.push(`entries=${this.describe(entries, depth + 1)}`);
      return `{${shown.join(' ')}}`;
    }
    return String(arg);
  }
}
