import { db, flags, mailboxes, redis } from './factory.context.js';
import { newestFirst, type TestPost } from './post.factory.js';
import type { TestUser } from './user.factory.js';

/**
 * A user's mailbox in Redis, made the way a rebuild makes one (begin, the following sets, finish), so the scripts
 * accept deliveries to it. The following sets come from PostgreSQL at the time of `create()`; the entries are what
 * the test says (default none), so a test can also make a mailbox that differs from PostgreSQL on purpose.
 */
export class MailboxBuilder {
  private owner?: TestUser;
  private posts: TestPost[] = [];
  private floor = '0';
  private epoch?: number;

  for(owner: TestUser): this {
    this.owner = owner;
    return this;
  }

  holding(posts: TestPost[]): this {
    this.posts = posts;
    return this;
  }

  /** Post ids below the floor may be missing: reads below it go to PostgreSQL. */
  withFloor(postId: string): this {
    this.floor = postId;
    return this;
  }

  /** Default: the current mailbox epoch (an older one makes a stale mailbox). */
  atEpoch(epoch: number): this {
    this.epoch = epoch;
    return this;
  }

  async create(): Promise<void> {
    const owner = this.owner;
    if (!owner) throw new Error('aMailbox() needs .for(owner)');
    const snapshot = flags().current();
    const followees = await db().follow.findMany({
      where: { followerId: BigInt(owner.id) },
      select: { followeeId: true, followee: { select: { pullMode: true } } },
    });
    const store = mailboxes();
    const token = await store.beginBuild(owner.id);
    const all = followees.map((f) => f.followeeId.toString());
    const pullMode = followees.filter((f) => f.followee.pullMode).map((f) => f.followeeId.toString());
    const built =
      (await store.setFollowees(owner.id, token, all, pullMode)) &&
      (await store.finishBuild(owner.id, {
        token,
        epoch: this.epoch ?? snapshot.mailboxEpoch,
        cap: snapshot.flags.mailboxSize,
        entries: newestFirst(this.posts).map((p) => ({ postId: p.id, authorId: p.authorId })),
      }));
    // A floor of the test's choosing, as a trim or a backfill would have left it.
    if (built && this.floor !== '0')
      await redis().client.hset(redis().keys.mailboxState(owner.id), 'floor', this.floor);
    if (!built) throw new Error(`mailbox of ${owner.id} changed while the factory built it`);
  }
}

export const aMailbox = () => new MailboxBuilder();

/** Empty mailboxes (current epoch) for several users at once. */
export async function mailboxesFor(owners: TestUser[]): Promise<void> {
  await Promise.all(owners.map((owner) => aMailbox().for(owner).create()));
}

/** The post ids in a user's mailbox, newest first; null when it is not readable (missing, stale or rebuilding). */
export async function mailboxIds(owner: TestUser): Promise<string[] | null> {
  const read = await mailboxes().read(owner.id, flags().current().mailboxEpoch, null, 10_000);
  return read.valid ? read.entries.map((e) => e.postId) : null;
}

/** A user's mailbox floor (null when not readable). */
export async function mailboxFloor(owner: TestUser): Promise<string | null> {
  const read = await mailboxes().read(owner.id, flags().current().mailboxEpoch, null, 1);
  return read.valid ? read.floor : null;
}
