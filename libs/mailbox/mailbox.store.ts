import { randomUUID } from 'node:crypto';
import { Injectable, OnModuleInit } from '@nestjs/common';
import type { ChainableCommander } from 'ioredis';
import {
  decodeMailboxRead,
  memberOf,
  type MailboxEntry,
  type MailboxRead,
  type RequestCount,
  type RequestLimit,
} from '#libs/contract';
import { RedisService } from '#libs/redis';
import { MAILBOX_COMMANDS, type WithScripts } from './mailbox.commands.js';
import { settleSlack } from './mailbox.settle.js';
import { DeliveryCoalescer, type DeliveryGroup } from './delivery.coalescer.js';
import { WriteBudget } from './write.budget.js';

/**
 * Bounds how long one DELIVER call holds Redis (a few milliseconds): at most 100 owners, and at most this many
 * owner × member writes, a backfill's owner counting `cap` more (see deliver: one of 60 posts goes two owners at a time).
 */
const DELIVER_OWNERS = 100;
const DELIVER_WRITES = 2000;

/**
 * At most this many owner × member writes go out in one pipeline; more wait for it to be answered. A delivery of one
 * post (a batch of 2,000 followers) is one pipeline or two; a demotion's or a backfill's many posts settle each
 * mailbox at once (up to ~200 µs of Redis an owner), and sent whole, eight such batches at once queued seconds of work
 * on Redis: every command behind them timed out (REDIS_COMMAND_TIMEOUT_MS), jobs retried and sent it all again.
 */
const PIPELINE_WRITES = 5_000;

/**
 * At most this many writes of one process in flight on Redis (see WriteBudget), about 20 ms of its work: single posts'
 * deliveries that wait for room are merged (DeliveryCoalescer) into batches of up to PIPELINE_WRITES. Room for two
 * such batches lets the worker build and send the next while Redis runs the last, instead of each waiting for the
 * other. Measured on the bench's backlog drain (1-min fan-out bench, 3 rounds alternated, FANOUT_CONCURRENCY 32):
 * 10,000 in flight in batches of 5,000: 335-383k writes/s (0.47-0.50x the same-run ZADD), 0.89-0.92 pushes a write;
 * 4,000 in flight in batches of 10,000 (the value before; one batch at a time, merging more): 289-318k/s
 * (0.35-0.41x), 0.65 pushes a write, though Redis spent ~0.2 µs a write less; 9,000 in batches of 3,000: 333-374k/s.
 */
const WRITES_IN_FLIGHT = 10_000;

/** Per-user home timeline caches in Redis (libs/contract/mailbox.read.ts has the layout; mailbox.scripts.ts the rest). */
@Injectable()
export class MailboxStore implements OnModuleInit {
  private readonly budget = new WriteBudget(WRITES_IN_FLIGHT);
  private readonly posts = new DeliveryCoalescer(this.budget, PIPELINE_WRITES, (groups, cap) => this.send(groups, cap));

  constructor(private readonly redis: RedisService) {}

  onModuleInit(): void {
    for (const [name, definition] of Object.entries(MAILBOX_COMMANDS))
      this.redis.client.defineCommand(name, definition);
  }

  /**
   * Posts into many owners' mailboxes: one script call per slot (a chunk of owners at a time), in pipelines of at most
   * PIPELINE_WRITES writes. Returns how many members were pushed. `floor` is for backfills that may not hold all of an
   * author's older posts (see DELIVER). A single post (a fan-out's common case) may go out merged with others queued
   * at the same time (DeliveryCoalescer).
   */
  async deliver(ownerIds: string[], entries: MailboxEntry[], cap: number, floor = '0') {
    if (ownerIds.length === 0 || entries.length === 0) return 0;
    const pushed =
      entries.length === 1 && floor === '0'
        ? await this.posts.deliver(ownerIds, memberOf(entries[0]!), cap)
        : await this.backfill(ownerIds, entries.map(memberOf).reverse(), cap, floor);
    await this.redis.replicated(ownerIds, (owner) => this.redis.keys.mailbox(owner));
    return pushed;
  }

  /**
   * Many posts (or a floor given: a post delivers one) settle each mailbox at once, merging old posts into the whole
   * list: an owner then costs Redis about `cap` writes more, however few members it gets (a demotion's 60 posts a
   * follower held Redis 20-40 ms a call on a slow machine, and API calls behind them timed out). `members` oldest first.
   */
  private async backfill(ownerIds: string[], members: string[], cap: number, floor: string) {
    const cost = members.length + cap;
    const perPipeline = Math.max(1, Math.floor(PIPELINE_WRITES / cost));
    let pushed = 0;
    for (let i = 0; i < ownerIds.length; i += perPipeline) {
      const owners = ownerIds.slice(i, i + perPipeline);
      await this.budget.acquire(owners.length * cost);
      try {
        const skipped = await this.send([{ members, owners }], cap, { floor, cost });
        pushed += (owners.length - skipped.size) * members.length;
      } finally {
        this.budget.release(owners.length * cost);
      }
    }
    return pushed;
  }

  /**
   * One pipeline of DELIVER calls, a call per chunk of a group's owners of one slot. A backfill's `cost` is an owner's
   * in writes (else its members'), and it settles each mailbox at once: a slack of 1. Counted by slack, a backfill of
   * an author's old posts without a floor (fewer posts than the cap) lay in the unsorted prefix until some later
   * delivery's settle: every read took them all (up to `cap` of them), and that settle merged them deep into the list
   * by binary search (in the bench, a backlog drain after a demotion paid 0.3-0.5 LINDEX a write for it, 4.1-6.1 µs of
   * Redis a write instead of 2.5-3). Resolves to the owners skipped (without a mailbox).
   */
  private async send(groups: DeliveryGroup[], cap: number, backfill?: { floor: string; cost: number }) {
    const keys = this.redis.keys;
    const groupOf = new Map<string, DeliveryGroup>();
    for (const group of groups) for (const owner of group.owners) groupOf.set(owner, group);
    const replies = await this.redis.perSlot(
      [...groupOf.keys()],
      (owner) => keys.mailbox(owner),
      (pipeline, slotOwners) => {
        const first = slotOwners[0]!;
        const prefixes = [keys.userKeyPrefix('mb', first), keys.userKeyPrefix('ms', first)];
        for (const [group, owners] of this.byGroup(slotOwners, groupOf)) {
          const { members } = group;
          const cost = backfill?.cost ?? members.length;
          const chunk = Math.max(1, Math.min(DELIVER_OWNERS, Math.floor(DELIVER_WRITES / cost)));
          const slack = backfill ? 1 : settleSlack(cap);
          const head = [cap, slack, backfill?.floor ?? '0', members.length, ...members];
          for (let i = 0; i < owners.length; i += chunk) {
            const some = owners.slice(i, i + chunk);
            this.scripts(pipeline).mailboxDeliver(keys.mailbox(some[0]!), ...head, ...prefixes, some.join(','));
          }
        }
      },
    );
    return new Set((replies as string[][]).flat());
  }

  /** A slot's owners by the group they belong to, in the groups' order of appearance. */
  private byGroup(owners: string[], groupOf: Map<string, DeliveryGroup>): Map<DeliveryGroup, string[]> {
    const out = new Map<DeliveryGroup, string[]>();
    for (const owner of owners) {
      const group = groupOf.get(owner)!;
      const list = out.get(group);
      if (list) list.push(owner);
      else out.set(group, [owner]);
    }
    return out;
  }

  /**
   * A page of `want` entries below `before` (null: the newest), or `{ valid: false }` (see MailboxRead). With `count`,
   * the read counts a request of the owner's first (`requests` says what the count came to) and reads nothing when it
   * is over `count.max` (`limited`); with `versions`, it reads author timeline versions (AuthorTimelineStore.known).
   */
  async read(
    ownerId: string,
    epoch: number,
    before: string | null,
    want: number,
    { count, versions = false }: { count?: RequestLimit; versions?: boolean } = {},
  ) {
    const keys = this.redis.keys;
    const reply: unknown = await this.client().mailboxRead(
      ...this.userKeys(ownerId),
      keys.requestCounter(ownerId),
      keys.authorVersions(ownerId),
      ...[epoch, before ?? '', want, ownerId, count?.windowMs ?? 0, count?.max ?? 0, versions ? '1' : '0'],
    );
    return decodeMailboxRead(reply, before, want) satisfies MailboxRead;
  }

  /** Counts a request of the user's on its own, for a read that does not read the mailbox (see READ). */
  async countRequest(userId: string, windowMs: number): Promise<RequestCount> {
    const [count, msLeft] = (await this.client().mailboxCountRequest(
      this.redis.keys.requestCounter(userId),
      windowMs,
    )) as [number, number];
    return { count, msLeft };
  }

  async retractAuthor(ownerId: string, authorId: string): Promise<void> {
    await this.client().mailboxRetractAuthor(...this.userKeys(ownerId), authorId);
    await this.redis.replicated([ownerId], (owner) => this.redis.keys.mailbox(owner));
  }

  /** False when the user has no mailbox (nothing to add to: a rebuild will make it). */
  async addFollowee(ownerId: string, followeeId: string, pullMode: boolean): Promise<boolean> {
    const added = await this.client().mailboxAddFollowee(...this.userKeys(ownerId), followeeId, pullMode ? '1' : '0');
    await this.redis.replicated([ownerId], (owner) => this.redis.keys.mailbox(owner));
    return Number(added) === 1;
  }

  /** An author entered pull mode: their followers' mailboxes learn it (those that have one and follow them). */
  async addPullAuthor(ownerIds: string[], authorId: string): Promise<void> {
    const keys = this.redis.keys;
    await this.redis.perSlot(
      ownerIds,
      (owner) => keys.mailbox(owner),
      (pipeline, group) => {
        for (let i = 0; i < group.length; i += DELIVER_OWNERS) {
          const owned = group.slice(i, i + DELIVER_OWNERS).flatMap((owner) => this.userKeys(owner));
          this.scripts(pipeline).mailboxAddPullAuthor(owned.length, ...owned, authorId);
        }
      },
    );
    await this.redis.replicated(ownerIds, (owner) => keys.mailbox(owner));
  }

  async beginBuild(ownerId: string): Promise<string> {
    const token = randomUUID();
    const keys = this.redis.keys;
    await this.client().mailboxBeginBuild(keys.mailbox(ownerId), keys.mailboxState(ownerId), token);
    return token;
  }

  /** The rebuild's following set; false when another rebuild took over or a follow changed meanwhile. */
  async setFollowees(ownerId: string, token: string, followees: string[], pullFollowees: string[]): Promise<boolean> {
    const args = [token, followees.length, ...followees, ...pullFollowees];
    return Number(await this.client().mailboxSetFollowees(...this.userKeys(ownerId), ...args)) === 1;
  }

  /** Replaces the mailbox with `entries` (newest first, up to cap + 1) and what was delivered during the rebuild. */
  async finishBuild(
    ownerId: string,
    build: { token: string; epoch: number; cap: number; entries: MailboxEntry[] },
  ): Promise<boolean> {
    const keys = this.redis.keys;
    const done = await this.client().mailboxFinishBuild(
      keys.mailbox(ownerId),
      keys.mailboxState(ownerId),
      keys.following(ownerId),
      build.token,
      build.epoch,
      build.cap,
      ownerId,
      ...build.entries.map(memberOf),
    );
    await this.redis.replicated([ownerId], (owner) => keys.mailbox(owner));
    return Number(done) === 1;
  }

  private userKeys(ownerId: string): [string, string, string, string] {
    const keys = this.redis.keys;
    return [keys.mailbox(ownerId), keys.mailboxState(ownerId), keys.following(ownerId), keys.pullFollowees(ownerId)];
  }

  private client() {
    return this.redis.client as unknown as WithScripts<typeof this.redis.client>;
  }

  private scripts(pipeline: ChainableCommander) {
    return pipeline as WithScripts<ChainableCommander>;
  }
}
