import { randomUUID } from 'node:crypto';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { entryOf, memberOf, type MailboxEntry, type MailboxRead } from '#libs/contract';
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
    client.defineCommand('authorAppend', { lua: scripts.APPEND, numberOfKeys: 3 });
    client.defineCommand('authorBeginBuild', { lua: scripts.BEGIN_BUILD, numberOfKeys: 2 });
    client.defineCommand('authorFinishBuild', { lua: scripts.FINISH_BUILD, numberOfKeys: 3 });
    client.defineCommand('authorRetract', { lua: scripts.RETRACT, numberOfKeys: 3 });
    client.defineCommand('authorReadChanged', { lua: scripts.READ_CHANGED });
  }

  /** A new post of the author; a no-op unless the timeline is built (or being built). */
  async append(entry: MailboxEntry, cap: number): Promise<void> {
    await this.client().authorAppend(
      ...this.keysOf(entry.authorId),
      this.redis.keys.authorVersions(entry.authorId),
      entry.authorId,
      entry.postId,
      memberOf(entry),
      cap,
    );
    await this.redis.replicated([entry.authorId], (author) => this.redis.keys.authorTimeline(author));
  }

  async retract(entry: MailboxEntry): Promise<void> {
    await this.client().authorRetract(
      ...this.keysOf(entry.authorId),
      this.redis.keys.authorVersions(entry.authorId),
      entry.authorId,
      memberOf(entry),
    );
    await this.redis.replicated([entry.authorId], (author) => this.redis.keys.authorTimeline(author));
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
    const pairs = build.entries.flatMap((e) => [e.postId, memberOf(e)]);
    const done = await this.client().authorFinishBuild(
      ...this.keysOf(authorId),
      this.redis.keys.authorVersions(authorId),
      authorId,
      build.token,
      build.cap,
      build.floor,
      ...pairs,
    );
    await this.redis.replicated([authorId], (author) => this.redis.keys.authorTimeline(author));
    return Number(done) === 1;
  }

  /**
   * The current version of each author's timeline, from the shards' versions hashes (one plain HMGET per slot, all
   * sent at once); undefined for a timeline not built, or built before versions were published.
   */
  async versions(authorIds: string[]): Promise<(string | undefined)[]> {
    const keys = this.redis.keys;
    const byAuthor = await this.redis.valuesPerSlot<string, string | null>(
      authorIds,
      (id) => keys.authorVersions(id),
      (client, group) => client.hmget(keys.authorVersions(group[0]!), ...group),
    );
    return authorIds.map((id) => byAuthor.get(id) ?? undefined);
  }

  /**
   * The versions a mailbox read asked for them found (MailboxStore.read with `versions`), by author: the owner's and
   * its followed pull-mode authors' that share the owner's slot, whose versions hash the read looked in (undefined:
   * not published). Authors of other slots are left out: their versions are asked for with `versions`.
   */
  known(ownerId: string, read: MailboxRead): Map<string, string | undefined> {
    const known = new Map<string, string | undefined>();
    if (!read.valid || read.versions.length === 0) return known;
    const tag = this.redis.keys.tag(ownerId);
    [ownerId, ...read.pullFollowees].forEach((author, i) => {
      if (this.redis.keys.tag(author) === tag) known.set(author, read.versions[i] ?? undefined);
    });
    return known;
  }

  /**
   * The timelines of several authors, each in full unless the caller already holds its current version (`known`, by
   * author): one script call per slot, all in one round trip.
   */
  async readChanged(authorIds: string[], known: (string | undefined)[]): Promise<AuthorTimelineRead[]> {
    const asked = authorIds.map((authorId, i) => ({ authorId, version: known[i] ?? '' }));
    const groups: (typeof asked)[] = [];
    const replies = await this.redis.perSlot(
      asked,
      (a) => this.redis.keys.authorTimeline(a.authorId),
      (pipeline, group) => {
        groups.push(group);
        const keys = [
          ...group.flatMap((a) => this.keysOf(a.authorId)),
          this.redis.keys.authorVersions(group[0]!.authorId),
        ];
        const args = group.flatMap((a) => [a.authorId, a.version]);
        (pipeline as unknown as WithScripts).authorReadChanged(keys.length, ...keys, ...args);
      },
    );
    const byAuthor = new Map<string, AuthorTimelineRead>();
    groups.forEach((group, g) => {
      const perAuthor = replies[g] as ([0] | [1] | [2, string, string, string[]])[];
      group.forEach(({ authorId }, i) => byAuthor.set(authorId, decode(authorId, perAuthor[i]!)));
    });
    return authorIds.map((id) => byAuthor.get(id)!);
  }

  private keysOf(authorId: string): [string, string] {
    return [this.redis.keys.authorTimeline(authorId), this.redis.keys.authorTimelineState(authorId)];
  }

  private client() {
    return this.redis.client as unknown as WithScripts;
  }
}

function decode(authorId: string, reply: [0] | [1] | [2, string, string, string[]]): AuthorTimelineRead {
  if (reply[0] === 0) return { authorId, status: 'missing' };
  if (reply[0] === 1) return { authorId, status: 'unchanged' };
  return { authorId, status: 'changed', version: reply[1], floor: reply[2], entries: reply[3].map(entryOf) };
}
