import { Injectable, Logger } from '@nestjs/common';
import { type Job, WaitingChildrenError } from 'bullmq';
import { Prisma, PrismaService } from '#libs/db';
import { FlagsRepository, FlagsService, fansOut } from '#libs/flags';
import { AuthorTimelineStore, MailboxStore } from '#libs/mailbox';
import { followerBucket, postTimeMs, SERIES, type MailboxEntry, type Stage } from '#libs/contract';
import { MetricsService } from '#libs/metrics';
import {
  FANOUT_JOB_NAMES,
  FanoutQueue,
  jobIds,
  OutboxRepository,
  type DomainEvent,
  type FanoutJobName,
  type FanoutJobs,
} from '#libs/outbox';
import { PostCacheStore, PostsRepository } from '#libs/posts';
import { FollowsRepository, PullModeRepository, UsersRepository } from '#libs/social';
import { followerRanges } from './fanout.plan.js';

type Handler<N extends FanoutJobName> = (job: Job<FanoutJobs[N]>, token: string) => Promise<unknown>;
/** What a batch job returns: when its mailbox writes were done, for the event's delivery lag. */
type BatchResult = { finishedAt: number };
/**
 * What planning an event did: `children` when it left batch jobs to wait for; for a post it fanned out, the author's
 * follower count, and when the last mailbox was written if that was done inline.
 */
interface Planned {
  children: boolean;
  fannedOutTo?: number;
  finishedAt?: number;
}
type EventJob = Job<FanoutJobs['outbox-event']>;

const REBUILD_PAGE = 1000;

/**
 * Posts kept per author timeline. Every API process caches the timelines it reads, and a change sends the whole
 * timeline again, so it stays short; a page deeper than it reads that author from PostgreSQL.
 */
const authorTimelineCap = (mailboxSize: number) => Math.min(mailboxSize, 200);

/**
 * What each fan-out job does. Every handler is idempotent and throws to be retried; the outbox event is marked
 * delivered only once all of its work is done, so "nothing pending" means every mailbox is up to date.
 */
@Injectable()
export class FanoutService {
  private readonly logger = new Logger('Fanout');
  readonly handlers: { [N in FanoutJobName]: Handler<N> } = {
    'outbox-event': (job, token) => this.onEvent(job, token),
    'deliver-batch': (job) => this.deliverBatch(job.data),
    'retract-batch': (job) => this.retractBatch(job.data),
    'mailbox-rebuild': (job) => this.timed('rebuild', 'mailbox', () => this.rebuild(job.data.userId)),
    'rebuild-all': (job) => this.rebuildAll(job.data.requestedAt),
    'author-timeline-build': (job) => this.buildAuthorTimeline(job.data.authorId),
    'demote-author': (job) => this.demote(job.data.authorId, job.data.pullVersion),
  };

  constructor(
    private readonly flagsRepository: FlagsRepository,
    private readonly flags: FlagsService,
    private readonly mailbox: MailboxStore,
    private readonly authorTimelines: AuthorTimelineStore,
    private readonly outbox: OutboxRepository,
    private readonly queue: FanoutQueue,
    private readonly posts: PostsRepository,
    private readonly postCache: PostCacheStore,
    private readonly follows: FollowsRepository,
    private readonly users: UsersRepository,
    private readonly pullMode: PullModeRepository,
    private readonly metrics: MetricsService,
    private readonly prisma: PrismaService,
  ) {
    const missing = FANOUT_JOB_NAMES.filter((name) => typeof this.handlers[name] !== 'function');
    if (missing.length) throw new Error(`No handler for fan-out job(s): ${missing.join(', ')}`);
  }

  async handle(job: Job, token: string): Promise<unknown> {
    const handler = this.handlers[job.name as FanoutJobName] as Handler<FanoutJobName> | undefined;
    if (!handler) throw new Error(`Unknown fan-out job "${job.name}"`);
    const resumed = job.name === 'outbox-event' && (job.data as FanoutJobs['outbox-event']).step === 'wait';
    if (job.attemptsMade === 0 && !resumed)
      this.metrics.stage('job_wait', job.name, (Date.now() - job.timestamp) * 1000);
    return handler(job as Job<never>, token);
  }

  private async onEvent(job: EventJob, token: string): Promise<void> {
    const { eventId, event } = job.data;
    if (job.data.step !== 'wait') {
      const planned = await this.timed('plan', event.type, () => this.plan(job, event));
      if (!planned.children) {
        // Done inline (most posts: their followers fit one batch): no child jobs to wait for.
        if (event.type === 'post.created' && planned.fannedOutTo !== undefined && planned.finishedAt) {
          this.recordLag(event.payload.postId, planned.fannedOutTo, planned.finishedAt);
        }
        await this.outbox.markDelivered(eventId);
        return;
      }
      await job.updateData({ ...job.data, step: 'wait', fannedOutTo: planned.fannedOutTo });
    }
    if (await job.moveToWaitingChildren(token)) throw new WaitingChildrenError();
    const failures = Object.values(await job.getIgnoredChildrenFailures());
    if (failures.length > 0) {
      await this.giveUp(eventId, `${failures.length} batch(es) failed: ${failures[0]}`);
      return;
    }
    if (event.type === 'post.created' && job.data.fannedOutTo !== undefined) {
      await this.recordDeliveryLag(job, event.payload.postId, job.data.fannedOutTo);
    }
    await this.outbox.markDelivered(eventId);
  }

  /** Post committed → its last mailbox written (the latest batch's finish), by the author's follower count. */
  private async recordDeliveryLag(job: EventJob, postId: string, followers: number): Promise<void> {
    const results = Object.values(await job.getChildrenValues<BatchResult | null>());
    const finishedAt = Math.max(...results.map((r) => r?.finishedAt ?? 0));
    if (finishedAt > 0) this.recordLag(postId, followers, finishedAt);
  }

  private recordLag(postId: string, followers: number, finishedAt: number): void {
    this.metrics.stage('delivery_lag', followerBucket(followers), (finishedAt - postTimeMs(postId)) * 1000);
  }

  private async timed<T>(stage: Stage, detail: string, run: () => Promise<T>): Promise<T> {
    const started = performance.now();
    const result = await run();
    this.metrics.stage(stage, detail, (performance.now() - started) * 1000);
    return result;
  }

  /** Does the event's work directly, or leaves it to child jobs of the event job when it takes several batches. */
  private async plan(job: EventJob, event: DomainEvent): Promise<Planned> {
    switch (event.type) {
      case 'post.created':
        return this.planPost(job, event.payload);
      case 'post.deleted': {
        await this.postCache.markDeleted([event.payload.postId]);
        await this.authorTimelines.retract(event.payload);
        const entry = { postId: event.payload.postId, authorId: event.payload.authorId };
        return this.batches(
          job,
          'retract-batch',
          event.payload.authorId,
          (range) => ({ ...range, authorId: event.payload.authorId, entry }),
          (batch) => this.retractBatch(batch),
        );
      }
      case 'follow.created':
      case 'follow.removed':
        await this.syncFollow(event.payload.followerId, event.payload.followeeId);
        return { children: false };
      case 'flags.changed':
        await this.planDemotions();
        return { children: false };
    }
  }

  private async planPost(job: EventJob, { postId, authorId }: { postId: string; authorId: string }): Promise<Planned> {
    const author = await this.posts.fanoutFacts(postId);
    if (!author?.live) return { children: false };
    const flags = await this.flagsRepository.read();
    const cap = authorTimelineCap(flags.mailboxSize);
    await this.authorTimelines.append({ postId, authorId }, cap);
    if (!fansOut(flags, author.followersCount)) {
      this.metrics.count(SERIES.posts, 'pulled');
      if (flags.strategy === 'hybrid') {
        // Built first (this post included), so readers who learn of the pull-mode author find their timeline ready.
        if (!author.pullMode) await this.buildAuthorTimeline(authorId, cap);
        // Every pulled post bumps the author's pull version, so a demotion already under way cannot end pull mode
        // without this post.
        await this.changePullMode((tx) => this.pullMode.enter(tx, authorId));
      }
      return { children: false };
    }
    this.metrics.count(SERIES.posts, 'pushed');
    // A celebrity no longer: their older posts never reached mailboxes; readers merge them until the demotion is done.
    if (author.pullMode) await this.addDemotion(authorId, author.pullVersion);
    const entries: MailboxEntry[] = [{ postId, authorId }];
    const planned = await this.batches(
      job,
      'deliver-batch',
      authorId,
      (range) => ({ ...range, authorId, entries }),
      (batch) => this.deliverBatch(batch),
      author.followersCount,
    );
    return { ...planned, fannedOutTo: author.followersCount };
  }

  private async planDemotions(): Promise<void> {
    const flags = await this.flagsRepository.read();
    for (const author of await this.pullMode.authors()) {
      if (fansOut(flags, author.followersCount)) await this.addDemotion(author.id, author.pullVersion);
    }
  }

  /**
   * Not a child of the event: one demotion may be wanted by several events (a post, a flag change), and a job can
   * have only one parent. The author stays in pull mode, merged at read time, until the demotion has finished.
   */
  private async addDemotion(authorId: string, pullVersion: number): Promise<void> {
    await this.queue.add('demote-author', { authorId, pullVersion }, jobIds.demote(authorId, pullVersion));
  }

  /**
   * An author's followers cut into batches. One batch is written here and now (retried with the event if it throws);
   * several become child jobs of the event, which completes once they all have.
   */
  private async batches<N extends 'deliver-batch' | 'retract-batch'>(
    job: EventJob,
    name: N,
    authorId: string,
    data: (range: ReturnType<typeof followerRanges>[number]) => FanoutJobs[N],
    run: (batch: FanoutJobs[N]) => Promise<BatchResult>,
    followers?: number,
  ): Promise<Planned> {
    const { fanoutBatchSize } = this.flags.current().flags;
    // Fewer followers than a batch (most authors): one open range, without numbering them first. A count grown
    // meanwhile only makes that batch larger.
    const bounds =
      followers !== undefined && followers < fanoutBatchSize
        ? []
        : await this.follows.batchBounds(authorId, fanoutBatchSize);
    const ranges = followerRanges(bounds);
    if (ranges.length === 1) return { children: false, finishedAt: (await run(data(ranges[0]!))).finishedAt };
    await this.queue.addBulk(
      name,
      ranges.map((range, index) => ({ data: data(range), jobId: jobIds.batch(job.data.eventId, index) })),
      this.childOf(job),
    );
    return { children: true };
  }

  private childOf(job: EventJob) {
    return { parent: { id: job.id!, queue: job.queueQualifiedName }, ignoreDependencyOnFailure: true };
  }

  private async deliverBatch(batch: FanoutJobs['deliver-batch']): Promise<BatchResult> {
    return this.timed('batch', 'deliver', async () => {
      // A post deleted while this batch ran may land after its retraction; reads drop it (hydration knows).
      const owners = await this.owners(batch);
      await this.write('deliver', owners.length * batch.entries.length, () =>
        this.mailbox.deliver(owners, batch.entries, this.flags.current().flags.mailboxSize),
      );
      return { finishedAt: Date.now() };
    });
  }

  private async retractBatch(batch: FanoutJobs['retract-batch']): Promise<BatchResult> {
    return this.timed('batch', 'retract', async () => {
      const owners = await this.owners(batch);
      await this.write('retract', owners.length, () => this.mailbox.retractPost(owners, batch.entry));
      return { finishedAt: Date.now() };
    });
  }

  /** One pipelined mailbox write, timed, and the mailbox entries it wrote counted. */
  private async write(kind: string, entries: number, run: () => Promise<unknown>): Promise<void> {
    await this.timed('batch_write', kind, run);
    this.metrics.count(SERIES.mailboxWrites, kind, entries);
  }

  private async owners(batch: {
    authorId: string;
    afterFollowerId: string | null;
    throughFollowerId: string | null;
    includeAuthor: boolean;
  }) {
    const followers = await this.follows.followersInRange(
      batch.authorId,
      batch.afterFollowerId,
      batch.throughFollowerId,
    );
    return batch.includeAuthor ? [batch.authorId, ...followers] : followers;
  }

  /**
   * Follow and unfollow events of one pair may run in any order (parallel workers, retries, the sweep), so each
   * applies what PostgreSQL says now, and checks again afterwards: whichever handler runs last applies the last state.
   */
  private async syncFollow(followerId: string, followeeId: string): Promise<void> {
    let following = await this.follows.exists(followerId, followeeId);
    for (let round = 0; round < 5; round++) {
      if (following) await this.backfillFollow(followerId, followeeId);
      else await this.mailbox.retractAuthor(followerId, followeeId);
      const now = await this.follows.exists(followerId, followeeId);
      if (now === following) return;
      following = now;
    }
    throw new Error(`follow ${followerId}>${followeeId} kept changing; retrying`);
  }

  /** Order matters: accept the followee's deliveries first, then copy what was posted before. */
  private async backfillFollow(followerId: string, followeeId: string): Promise<void> {
    if (!(await this.mailbox.addFollowee(followerId, followeeId))) return;
    const { mailboxSize } = this.flags.current().flags;
    const { entries, floor } = await this.recentOf(followeeId, mailboxSize);
    await this.mailbox.deliver([followerId], entries, mailboxSize, floor);
  }

  /** An author's newest posts, and the floor to pass when older ones may exist beyond them. */
  private async recentOf(authorId: string, limit: number) {
    const entries = await this.posts.recentRefs(authorId, limit);
    return { entries, floor: entries.length === limit ? entries[limit - 1]!.postId : '0' };
  }

  /** Recomputes a mailbox from PostgreSQL; throws (to retry) if the user's follows changed meanwhile. */
  async rebuild(userId: string): Promise<void> {
    const flags = await this.flagsRepository.read();
    if (flags.strategy === 'pull') return;
    const cap = flags.mailboxSize;
    const token = await this.mailbox.beginBuild(userId);
    const followees = await this.follows.followeeIds(userId);
    const refs = await this.posts.pullRefs(userId, cap + 1);
    const floor = refs.length > cap ? refs[cap - 1]!.postId : '0';
    const built = await this.mailbox.finishBuild(userId, {
      token,
      epoch: flags.mailboxEpoch,
      cap,
      floor,
      followees,
      entries: refs.slice(0, cap),
    });
    if (!built) throw new Error(`mailbox of user ${userId} changed during its rebuild; rebuilding again`);
  }

  private async rebuildAll(requestedAt: number): Promise<void> {
    const { mailboxEpoch } = this.flags.current();
    let after: string | null = null;
    for (;;) {
      const ids = await this.pullMode.userIdsAfter(after, REBUILD_PAGE);
      if (ids.length === 0) return;
      await this.queue.addBulk(
        'mailbox-rebuild',
        ids.map((userId) => ({
          data: { userId, epoch: mailboxEpoch },
          jobId: jobIds.rebuild(userId, mailboxEpoch, `all${requestedAt}`),
        })),
        { removeOnFail: true },
      );
      after = ids[ids.length - 1]!;
    }
  }

  /**
   * Builds an author's timeline in Redis from PostgreSQL. Posts written meanwhile are kept (APPEND accepts them during
   * a build), so none is missed whichever commits first; throws to retry if another build took over.
   */
  async buildAuthorTimeline(authorId: string, knownCap?: number): Promise<void> {
    const cap = knownCap ?? authorTimelineCap((await this.flagsRepository.read()).mailboxSize);
    const token = await this.authorTimelines.beginBuild(authorId);
    const { entries, floor } = await this.recentOf(authorId, cap);
    if (!(await this.authorTimelines.finishBuild(authorId, { token, cap, floor, entries }))) {
      throw new Error(`author timeline of ${authorId} was rebuilt concurrently; building again`);
    }
  }

  /** Backfills a demoted celebrity's recent posts to every follower, then takes them out of pull mode. */
  private async demote(authorId: string, pullVersion: number): Promise<void> {
    const flags = await this.flagsRepository.read();
    const author = await this.users.followersCount(authorId);
    if (!author?.pullMode || author.pullVersion !== pullVersion || !fansOut(flags, author.followersCount)) return;
    const { entries, floor } = await this.recentOf(authorId, flags.mailboxSize);
    for (const range of followerRanges(await this.follows.batchBounds(authorId, flags.fanoutBatchSize))) {
      const owners = await this.owners({ authorId, ...range });
      await this.write('demote', owners.length * entries.length, () =>
        this.mailbox.deliver(owners, entries, flags.mailboxSize, floor),
      );
    }
    if (await this.changePullMode((tx) => this.pullMode.leave(tx, authorId, pullVersion))) {
      this.logger.log(`author ${authorId} left pull mode after backfilling ${entries.length} post(s)`);
    }
  }

  /**
   * An event whose retries are used up left some mailboxes without a change. Which ones is not known, so a new
   * mailbox epoch makes every mailbox be rebuilt from PostgreSQL before it is trusted again; `failed` stays counted.
   */
  async giveUp(eventId: string, reason: string): Promise<void> {
    await this.outbox.markFailed(eventId, reason);
    await this.flagsRepository.bumpEpoch();
    await this.flags.announce();
    this.logger.error(`fan-out of event ${eventId} gave up (${reason}); started a new mailbox epoch`);
  }

  /**
   * Enters or leaves pull mode together with a flags version bump, in one transaction: should the announcement
   * below never be sent (the worker dies first), every process still sees the new version when it polls.
   */
  private async changePullMode(change: (tx: Prisma.TransactionClient) => Promise<boolean>): Promise<boolean> {
    const changed = await this.prisma.$transaction(async (tx) => {
      if (!(await change(tx))) return false;
      await this.flagsRepository.bumpVersion(tx);
      return true;
    });
    if (changed) await this.flags.announce();
    return changed;
  }
}
