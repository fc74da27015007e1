import { authorTimelineCap } from '#libs/fanout';
import { authorTimelines, db, flags } from './factory.context.js';
import { followersOf } from './follow.factory.js';
import { mailboxesFor } from './mailbox.factory.js';
import { aPost, type TestPost } from './post.factory.js';
import { aUser, bumpFlagsVersion, type TestUser } from './user.factory.js';

export interface AuthorGraph {
  author: TestUser;
  followers: TestUser[];
  /** The author's live posts, oldest first. */
  posts: TestPost[];
}

/**
 * `anAuthor().withFollowers(12).withPosts(3).withMailboxes().create()`: an author, their followers and posts, and
 * (optionally) empty mailboxes for the author and every follower, made after the follows so they accept deliveries.
 */
export class AuthorBuilder {
  protected followers = 0;
  protected posts = 0;
  protected mailboxes = false;

  withFollowers(count: number): this {
    this.followers = count;
    return this;
  }

  withPosts(count: number): this {
    this.posts = count;
    return this;
  }

  withMailboxes(): this {
    this.mailboxes = true;
    return this;
  }

  async create(): Promise<AuthorGraph> {
    const author = await aUser().named('author').create();
    const followers = this.followers > 0 ? await aUser().named('fan').createMany(this.followers) : [];
    if (followers.length > 0) await followersOf(author).are(followers);
    const posts = this.posts > 0 ? await aPost().by(author).createMany(this.posts) : [];
    if (this.mailboxes) await mailboxesFor([author, ...followers]);
    return { author, followers, posts };
  }
}

/**
 * `aCelebrity().withFollowers(3).withPosts(2).create()`: an author in pull mode with their timeline built in Redis,
 * the state a first post under hybrid leaves (PullModeService builds the timeline before announcing pull mode).
 * Followers default to the current celebrity threshold.
 */
export class CelebrityBuilder extends AuthorBuilder {
  override async create(): Promise<AuthorGraph & { pullVersion: number }> {
    if (this.followers === 0) this.followers = flags().current().flags.celebrityThreshold;
    const graph = await super.create();
    await buildAuthorTimeline(graph.author);
    const row = await db().user.update({
      where: { id: BigInt(graph.author.id) },
      data: { pullMode: true, pullVersion: { increment: 1 } },
      select: { pullVersion: true },
    });
    await bumpFlagsVersion();
    return { ...graph, pullVersion: row.pullVersion };
  }
}

export const anAuthor = () => new AuthorBuilder();
export const aCelebrity = () => new CelebrityBuilder();

/** The author's timeline in Redis from their live posts in PostgreSQL, as AuthorTimelineHandler.build makes it. */
export async function buildAuthorTimeline(author: TestUser): Promise<void> {
  const cap = authorTimelineCap(flags().current().flags.mailboxSize);
  const rows = await db().post.findMany({
    where: { authorId: BigInt(author.id), deletedAt: null },
    orderBy: { id: 'desc' },
    take: cap,
    select: { id: true },
  });
  const entries = rows.map((r) => ({ postId: r.id.toString(), authorId: author.id }));
  const floor = entries.length === cap ? entries[cap - 1]!.postId : '0';
  const store = authorTimelines();
  const token = await store.beginBuild(author.id);
  if (!(await store.finishBuild(author.id, { token, cap, floor, entries }))) {
    throw new Error(`author timeline of ${author.id} was rebuilt while the factory built it`);
  }
}

/** An author's timeline in Redis: its post ids newest first and floor, or null when it is not built. */
export async function authorTimelineOf(author: TestUser): Promise<{ ids: string[]; floor: string } | null> {
  const [read] = await authorTimelines().readChanged([author.id], [undefined]);
  if (!read || read.status !== 'changed') return null;
  return { ids: read.entries.map((e) => e.postId), floor: read.floor };
}
