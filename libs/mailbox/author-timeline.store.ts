import { randomUUID } from 'node:crypto';
import { Injectable, OnModuleInit } from '@nestjs/common';
import type { MailboxEntry } from '#libs/outbox';
import { RedisService } from '#libs/redis';
import * as scripts from './author-timeline.scripts.js';
import { entryOf } from './mailbox.store.js';

export type AuthorTimelineRead =
  { authorId: string; valid: false } | { authorId: string; valid: true; floor: string; entries: MailboxEntry[] };

type Script = (...args: (string | number)[]) => Promise<unknown>;
interface WithScripts {
  authorAppend: Script;
  authorBeginBuild: Script;
  authorFinishBuild: Script;
  authorReadMany: Script;
}

/** Recent posts per author in Redis (see author-timeline.scripts.ts): hybrid merges celebrities from here. */
@Injectable()
export class AuthorTimelineStore implements OnModuleInit {
  constructor(private readonly redis: RedisService) {}

  onModuleInit(): void {
    const client = this.redis.client;
    client.defineCommand('authorAppend', { lua: scripts.APPEND, numberOfKeys: 2 });
    client.defineCommand('authorBeginBuild', { lua: scripts.BEGIN_BUILD, numberOfKeys: 2 });
    client.defineCommand('authorFinishBuild', { lua: scripts.FINISH_BUILD, numberOfKeys: 2 });
    client.defineCommand('authorReadMany', { lua: scripts.READ_MANY });
  }

  /** A new post of the author; a no-op unless the timeline is built (or being built). */
  async append(entry: MailboxEntry, cap: number): Promise<void> {
    await this.client().authorAppend(...this.keysOf(entry.authorId), entry.postId, entry.authorId, cap);
  }

  async retract(entry: MailboxEntry): Promise<void> {
    await this.redis.client.zrem(this.redis.keys.authorTimeline(entry.authorId), `${entry.postId}:${entry.authorId}`);
  }

  async beginBuild(authorId: string): Promise<string> {
    const token = randomUUID();
    await this.client().authorBeginBuild(...this.keysOf(authorId), token);
    return token;
  }

  async finishBuild(
    authorId: string,
    build: { token: string; cap: number; floor: string; entries: MailboxEntry[] },
  ): Promise<boolean> {
    const pairs = build.entries.flatMap((e) => [e.postId, e.authorId]);
    const done = await this.client().authorFinishBuild(
      ...this.keysOf(authorId),
      build.token,
      build.cap,
      build.floor,
      ...pairs,
    );
    return Number(done) === 1;
  }

  /**
   * Up to `limit` posts older than `before` of each author, in one call. The keys span several authors, which a
   * standalone Redis accepts; on Redis Cluster this would be one call per author.
   */
  async read(authorIds: string[], before: string | null, limit: number): Promise<AuthorTimelineRead[]> {
    if (authorIds.length === 0) return [];
    const keys = authorIds.flatMap((id) => this.keysOf(id));
    const replies = (await this.client().authorReadMany(keys.length, ...keys, before ?? '', limit)) as (
      [0] | [1, string, string[]]
    )[];
    return replies.map((reply, i) => {
      const authorId = authorIds[i]!;
      if (reply[0] !== 1) return { authorId, valid: false };
      return { authorId, valid: true, floor: reply[1], entries: reply[2].map(entryOf) };
    });
  }

  private keysOf(authorId: string): [string, string] {
    return [this.redis.keys.authorTimeline(authorId), this.redis.keys.authorTimelineState(authorId)];
  }

  private client() {
    return this.redis.client as unknown as WithScripts;
  }
}
