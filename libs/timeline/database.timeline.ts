import { Injectable } from '@nestjs/common';
import { ReadRouter, type Reader } from '#libs/db';
import { PostsRepository, toItem, type TimelineItem } from '#libs/posts';
import { PullReadGate } from './pull-read.gate.js';

/** The timeline's reads from PostgreSQL: the join (bounded by the gate) and pull-mode authors' posts. */
@Injectable()
export class DatabaseTimeline {
  constructor(
    private readonly posts: PostsRepository,
    private readonly gate: PullReadGate,
    private readonly reads: ReadRouter,
  ) {}

  /**
   * Where one read of the reader's timeline is answered (every statement of the read, hydration included): the
   * replica, unless the reader wrote something it has not replayed yet (ReadRouter).
   */
  routeFor(readerId: string): Reader {
    return this.reads.forUser(readerId);
  }

  /** The reader's home timeline by the SQL join: posts of whom they follow and their own, newest first. */
  async page(readerId: string, before: string | null, limit: number, via: Reader): Promise<TimelineItem[]> {
    const rows = await this.gate.run(readerId, () => this.posts.pullPage(readerId, before, limit, via));
    return rows.map(toItem);
  }

  async byAuthors(authorIds: string[], before: string | null, limit: number, via: Reader): Promise<TimelineItem[]> {
    return (await this.posts.byAuthors(authorIds, before, limit, via)).map(toItem);
  }
}
