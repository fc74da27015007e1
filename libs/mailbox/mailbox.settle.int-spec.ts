import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { MAILBOX_SENTINEL } from '#libs/contract';
import { RedisService } from '#libs/redis';
import { testConfig } from '../../test/support/test-config.js';
import { settleSlack } from './mailbox.settle.js';
import { MailboxStore } from './mailbox.store.js';

const redis = new RedisService(testConfig());
const store = new MailboxStore(redis);
store.onModuleInit();
afterAll(() => redis.client.quit());

const AUTHOR = '7';
const CAP = 40;
let owner = 0;

const entriesOf = (ids: number[]) => ids.map((postId) => ({ postId: String(postId), authorId: AUTHOR }));
const deliver = (me: string, ids: number[]) => store.deliver([me], entriesOf(ids), CAP);

/** A built mailbox of a fresh owner (following AUTHOR) holding `held`. */
async function mailboxHolding(held: number[], cap = CAP): Promise<string> {
  owner += 1;
  const me = String(7_000_000_000 + process.pid * 1000 + owner);
  const token = await store.beginBuild(me);
  expect(await store.setFollowees(me, token, [AUTHOR], [])).toBe(true);
  const entries = entriesOf([...held].sort((a, b) => b - a));
  expect(await store.finishBuild(me, { token, epoch: 1, cap, entries })).toBe(true);
  return me;
}

/** The sorted part sorted without repeats and starting with the sentinel; a read gives every post at or above the floor. */
async function expectSettled(me: string, delivered: number[]): Promise<void> {
  const list = await redis.client.lrange(redis.keys.mailbox(me), 0, -1);
  const sorted = Number(await redis.client.hget(redis.keys.mailboxState(me), 'sorted'));
  const part = list.slice(0, sorted);
  expect(part[0]).toBe(MAILBOX_SENTINEL);
  for (let i = 2; i < part.length; i++) expect(part[i - 1]! < part[i]!).toBe(true);
  expect(list.length - sorted).toBeLessThan(settleSlack(CAP) + 40);
  const read = await store.read(me, 1, null, 10_000);
  if (!read.valid) throw new Error('mailbox not valid');
  const unique = new Set(delivered);
  const all = [...unique].filter((postId) => postId >= Number(read.floor));
  expect(read.entries.map((e) => Number(e.postId))).toEqual(all.sort((a, b) => b - a));
  expect(all.length).toBeGreaterThanOrEqual(Math.min(CAP, unique.size));
  await redis.client.del(redis.keys.mailbox(me), redis.keys.mailboxState(me), redis.keys.following(me));
}

/**
 * Deliveries in any order (newer posts, stragglers within the settle's window, many older than it, repeats, posts
 * below the floor) into a mailbox that holds some posts already: whatever the settles did, the sorted part stays
 * sorted without duplicates, the list ends in the sentinel, and a read returns every post at or above the floor once.
 */
describe('settling a mailbox', () => {
  it('keeps it sorted, whole above the floor and without repeats, whatever order the deliveries come in', async () => {
    const id = fc.integer({ min: 1, max: 400 });
    const batch = fc.oneof(
      fc.array(id, { minLength: 1, maxLength: 3 }),
      fc.array(id, { minLength: 16, maxLength: 40 }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(id, { maxLength: 60 }),
        fc.array(batch, { maxLength: 40 }),
        async (held, batches) => {
          const me = await mailboxHolding(held);
          for (const ids of batches) await deliver(me, ids);
          await expectSettled(me, [...held, ...batches.flat()]);
        },
      ),
      { numRuns: 100 },
    );
  });

  // Deliveries in post order take the settle's shortcut (straight onto the suffix, or left where they lie): a retried
  // batch brings its last post again with newer ones, which must not sit twice on top of the suffix.
  it('keeps one copy of its newest post when a retried batch brings it again with newer ones', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 40 }), async (sizes) => {
        const me = await mailboxHolding([]);
        const delivered: number[] = [];
        for (const size of sizes) {
          const last = delivered.at(-1);
          const ids = Array.from({ length: size }, (_, i) => (last ?? 0) + 1 + i);
          await deliver(me, last === undefined ? ids : [last, ...ids]);
          delivered.push(...ids);
        }
        await expectSettled(me, delivered);
      }),
      { numRuns: 100 },
    );
  });

  // A settle's cost is spread over `slack` deliveries only if that many come between two settles. Counted from the
  // list's length alone (the way before), a full mailbox trimmed back to cap + 1 settled at the next multiple of slack:
  // after 1 delivery when cap + 2 is one, so every single delivery settled and trimmed it.
  it('settles a full mailbox once every slack deliveries, whatever its cap', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 8, max: 300 }), fc.boolean(), async (size, awkward) => {
        const slack = settleSlack(size);
        // Half of the runs take the caps that settled at every delivery: cap + 2 a multiple of slack.
        const cap = awkward ? Math.max(slack, Math.ceil((size + 2) / slack) * slack - 2) : size;
        const me = await mailboxHolding(
          Array.from({ length: cap + 5 }, (_, i) => i + 1),
          cap,
        );
        const key = redis.keys.mailbox(me);
        const unsorted = async () =>
          (await redis.client.llen(key)) - Number(await redis.client.hget(redis.keys.mailboxState(me), 'sorted'));
        let next = 1_000;
        for (let round = 0; round < 2; round++) {
          for (let i = 1; i < settleSlack(cap); i++) {
            await store.deliver([me], entriesOf([next++]), cap);
            expect(await unsorted()).toBe(i);
          }
          await store.deliver([me], entriesOf([next++]), cap);
          expect(await unsorted()).toBe(0);
          expect(await redis.client.llen(key)).toBe(cap + 1);
        }
        await redis.client.del(key, redis.keys.mailboxState(me), redis.keys.following(me));
      }),
      { numRuns: 30 },
    );
  });
});
