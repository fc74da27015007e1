import { db } from './factory.context.js';
import type { TestUser } from './user.factory.js';

export interface TestPost {
  /** From the database default next_post_id(): time-ordered, so a later post has a larger id. */
  id: string;
  authorId: string;
  body: string;
}

/** `aPost().by(ann).withBody('hi').create()`, `aPost().by(ann).deleted().create()`, `aPost().by(ann).createMany(3)`. */
export class PostBuilder {
  private author?: TestUser;
  private body?: string;
  private isDeleted = false;

  by(author: TestUser): this {
    this.author = author;
    return this;
  }

  withBody(body: string): this {
    this.body = body;
    return this;
  }

  /** Soft-deleted, as PostsService.delete leaves it (the author's posts_count does not count it). */
  deleted(): this {
    this.isDeleted = true;
    return this;
  }

  async create(): Promise<TestPost> {
    const [post] = await this.createMany(1);
    return post!;
  }

  /** `count` posts, oldest first; one at a time so each takes the next id. */
  async createMany(count: number): Promise<TestPost[]> {
    const author = this.author;
    if (!author) throw new Error('aPost() needs .by(author)');
    const posts: TestPost[] = [];
    for (let i = 0; i < count; i++) {
      const body = this.body ?? `post ${i + 1} by ${author.handle}`;
      const row = await db().post.create({
        data: { authorId: BigInt(author.id), body, deletedAt: this.isDeleted ? new Date() : null },
        select: { id: true },
      });
      posts.push({ id: row.id.toString(), authorId: author.id, body });
    }
    if (!this.isDeleted) {
      await db().user.update({ where: { id: BigInt(author.id) }, data: { postsCount: { increment: count } } });
    }
    return posts;
  }
}

export const aPost = () => new PostBuilder();

/** Deletes an existing post in PostgreSQL the way PostsService.delete does (without its outbox event). */
export async function deletePost(post: TestPost): Promise<void> {
  await db().$transaction([
    db().post.update({ where: { id: BigInt(post.id) }, data: { deletedAt: new Date() } }),
    db().user.update({ where: { id: BigInt(post.authorId) }, data: { postsCount: { decrement: 1 } } }),
  ]);
}

/** Newest first, as every timeline lists posts. */
export const newestFirst = (posts: TestPost[]) => [...posts].sort((a, b) => Number(b.id) - Number(a.id));
export const idsOf = (posts: { id: string }[]) => posts.map((p) => p.id);
