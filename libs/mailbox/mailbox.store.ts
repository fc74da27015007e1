import { randomUUID } from 'node:crypto';
import { Injectable, OnModuleInit } from '@nestjs/common';
import type { ChainableCommander } from 'ioredis';
import { entryOf, memberOf, READ, type MailboxEntry } from '#libs/contract';
import { RedisService } from '#libs/redis';
import * as scripts from './mailbox.scripts.js';

/**
 * Bounds how long one DELIVER call holds Redis (a few milliseconds): at most 100 owners, and at most this many
 * owner × entry writes (a backfill of 800 posts then goes two owners at a time).
 */
const DELIVER_OWNERS = 100;
const DELIVER_WRITES = 2000;

export type MailboxRead =
  { valid: false } | { valid: true; floor: string; entries: MailboxEntry[]; followedPullAuthors: string[] };

type ScriptName =
  'deliver' | 'retractPost' | 'retractAuthor' | 'addFollowee' | 'beginBuild' | 'finishBuild' | 'readMailbox';
type ScriptFn = (...args: (string | number)[]) => Promise<unknown>;
type WithScripts<T> = T & Record<ScriptName, ScriptFn>;

const DEFINITIONS: Record<ScriptName, { lua: string; numberOfKeys?: number }> = {
  deliver: { lua: scripts.DELIVER },
  retractPost: { lua: scripts.RETRACT_POST, numberOfKeys: 1 },
  retractAuthor: { lua: scripts.RETRACT_AUTHOR, numberOfKeys: 3 },
  addFollowee: { lua: scripts.ADD_FOLLOWEE, numberOfKeys: 3 },
  beginBuild: { lua: scripts.BEGIN_BUILD, numberOfKeys: 3 },
  finishBuild: { lua: scripts.FINISH_BUILD, numberOfKeys: 3 },
  readMailbox: { lua: READ, numberOfKeys: 3 },
};

/** Per-user home timeline caches in Redis (see mailbox.scripts.ts for the invariants each script keeps). */
@Injectable()
export class MailboxStore implements OnModuleInit {
  constructor(private readonly redis: RedisService) {}

  onModuleInit(): void {
    for (const [name, definition] of Object.entries(DEFINITIONS)) {
      this.redis.client.defineCommand(name, definition);
    }
  }

  /**
   * Writes entries into many followers' mailboxes, a chunk of owners per script call (the script's fixed cost is
   * paid once per chunk, not per owner). Returns how many mailbox entries were added. `floor` is for backfills that
   * may not hold all of an author's older posts (see DELIVER). The keys of a chunk span many users, which a
   * standalone Redis accepts; on Redis Cluster the owners would have to be grouped by hash slot first.
   */
  async deliver(ownerIds: string[], entries: MailboxEntry[], cap: number, floor = '0'): Promise<number> {
    if (ownerIds.length === 0 || entries.length === 0) return 0;
    const flat = entries.flatMap((e) => [e.postId, e.authorId]);
    const calls: Promise<unknown>[] = [];
    const chunk = Math.max(1, Math.min(DELIVER_OWNERS, Math.floor(DELIVER_WRITES / entries.length)));
    for (let i = 0; i < ownerIds.length; i += chunk) {
      const owners = ownerIds.slice(i, i + chunk);
      const keys = owners.flatMap((owner) => this.userKeys(owner));
      calls.push(
        this.client().deliver(
          keys.length,
          ...keys,
          cap,
          scripts.trimSlack(cap),
          floor,
          entries.length,
          ...flat,
          ...owners,
        ),
      );
    }
    return (await Promise.all(calls)).reduce((sum: number, added) => sum + Number(added), 0);
  }

  async retractPost(ownerIds: string[], entry: MailboxEntry): Promise<void> {
    const member = memberOf(entry);
    await this.pipelined(ownerIds, (p, owner) => p.retractPost(this.redis.keys.mailbox(owner), member));
  }

  async retractAuthor(ownerId: string, authorId: string): Promise<void> {
    await this.client().retractAuthor(...this.userKeys(ownerId), authorId);
  }

  /** False when the user has no mailbox (nothing to add to: a rebuild will make it). */
  async addFollowee(ownerId: string, followeeId: string): Promise<boolean> {
    return Number(await this.client().addFollowee(...this.userKeys(ownerId), followeeId)) === 1;
  }

  async beginBuild(ownerId: string): Promise<string> {
    const token = randomUUID();
    await this.client().beginBuild(...this.userKeys(ownerId), token);
    return token;
  }

  async finishBuild(
    ownerId: string,
    build: { token: string; epoch: number; cap: number; floor: string; followees: string[]; entries: MailboxEntry[] },
  ): Promise<boolean> {
    const result = await this.client().finishBuild(
      ...this.userKeys(ownerId),
      build.token,
      build.epoch,
      build.cap,
      build.floor,
      ownerId,
      build.followees.length,
      ...build.followees,
      ...build.entries.flatMap((e) => [e.postId, e.authorId]),
    );
    return Number(result) === 1;
  }

  /** `pullAuthors`: the pull-mode authors' ids joined by commas (the reply says which of them the owner follows). */
  async read(ownerId: string, epoch: number, before: string | null, limit: number, pullAuthors: string) {
    const keys = this.redis.keys;
    const reply = (await this.client().readMailbox(
      keys.mailbox(ownerId),
      keys.mailboxState(ownerId),
      keys.following(ownerId),
      epoch,
      before ?? '',
      limit,
      pullAuthors,
    )) as [string] | [string, string[], string[]];
    if (reply.length === 1) return { valid: false } satisfies MailboxRead;
    const [floor, members, followed] = reply as [string, string[], string[]];
    return { valid: true, floor, entries: members.map(entryOf), followedPullAuthors: followed } satisfies MailboxRead;
  }

  private userKeys(ownerId: string): [string, string, string] {
    const keys = this.redis.keys;
    return [keys.mailbox(ownerId), keys.following(ownerId), keys.mailboxState(ownerId)];
  }

  private client() {
    return this.redis.client as unknown as WithScripts<typeof this.redis.client>;
  }

  private async pipelined(ownerIds: string[], add: (p: WithScripts<ChainableCommander>, owner: string) => unknown) {
    const pipeline = this.redis.client.pipeline() as WithScripts<ChainableCommander>;
    for (const owner of ownerIds) add(pipeline, owner);
    const results = (await pipeline.exec()) ?? [];
    return results.map(([error, value]) => {
      if (error) throw error;
      return value;
    });
  }
}
