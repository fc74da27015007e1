import { Injectable } from '@nestjs/common';
import { PostsRepository, toItem, type TimelineItem } from '#libs/posts';
import { PullReadGate } from './pull-read.gate.js';

/** The timeline's reads from PostgreSQL: the join (bounded by the gate) and pull-mode authors' posts. */
@Injectable()
export class DatabaseTimeline {
  constructor(
    private readonly posts: PostsRepository,
    private readonly gate: PullReadGate,
  ) {}

  /** The reader's home timeline by the SQL join: posts of whom they follow and their own, newest first. */
  async page(readerId: string, before: string | null, limit: number): Promise<TimelineItem[]> {
    const rows = await this.gate.run(readerId, () => this.posts.pullPage(readerId, before, limit));
    return rows.map(toItem);
  }

  async byAuthors(authorIds: string[], before: string | null, limit: number): Promise<TimelineItem[]> {
    return (await this.posts.byAuthors(authorIds, before, limit)).map(toItem);
  }
}
