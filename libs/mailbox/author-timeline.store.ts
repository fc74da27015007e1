import { randomUUID } from 'node:crypto';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { entryOf, memberOf, type MailboxEntry } from '#libs/contract';
import { RedisService } from '#libs/redis';
import * as scripts from './author-timeline.scripts.js';

/** What a reader learns of one author's timeline: missing, unchanged since `version`, or all of it. */
export type AuthorTimelineRead =
  | { authorId: string; status: 'missing' }
  | { authorId: string; status: 'unchanged' }
  | { authorId: string; status: 'changed'; version: string; floor: string; entries: MailboxEntry[] };

type Script = (...args: (string | number)[]) => Promise<unknown>;
interface WithScripts {
  authorAppend: Script;
  authorRetract: Script;
  authorBeginBuild: Script;
  authorFinishBuild: Script;
  authorReadChanged: Script;
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
    client.defineCommand('authorRetract', { lua: scripts.RETRACT, numberOfKeys: 2 });
    client.defineCommand('authorReadChanged', { lua: scripts.READ_CHANGED });
  }

  /** A new post of the author; a no-op unless the timeline is built (or being built). */
  async append(entry: MailboxEntry, cap: number): Promise<void> {
    await this.client().authorAppend(...this.keysOf(entry.authorId), entry.postId, entry.authorId, cap);
  }

  async retract(entry: MailboxEntry): Promise<void> {
    await this.client().authorRetract(...this.keysOf(entry.authorId), memberOf(entry));
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
   * The timelines of several authors in one call, each in full unless the caller already holds its current version
   * (`known`, by author). The keys span several authors, which a standalone Redis accepts; on Redis Cluster this
   * would be one call per author.
   */
  async readChanged(authorIds: string[], known: (string | undefined)[]): Promise<AuthorTimelineRead[]> {
    if (authorIds.length === 0) return [];
    const keys = authorIds.flatMap((id) => this.keysOf(id));
    const versions = authorIds.map((_, i) => known[i] ?? '');
    const replies = (await this.client().authorReadChanged(keys.length, ...keys, ...versions)) as (
      [0] | [1] | [2, string, string, string[]]
    )[];
    return replies.map((reply, i): AuthorTimelineRead => {
      const authorId = authorIds[i]!;
      if (reply[0] === 0) return { authorId, status: 'missing' };
      if (reply[0] === 1) return { authorId, status: 'unchanged' };
      return { authorId, status: 'changed', version: reply[1], floor: reply[2], entries: reply[3].map(entryOf) };
    });
  }

  private keysOf(authorId: string): [string, string] {
    return [this.redis.keys.authorTimeline(authorId), this.redis.keys.authorTimelineState(authorId)];
  }

  private client() {
    return this.redis.client as unknown as WithScripts;
  }
}
