import { afterAll, describe, expect, it } from 'vitest';
import { RedisService } from '#libs/redis';
import { testConfig } from '../../test/support/test-config.js';
import { MailboxStore } from './mailbox.store.js';

// The rate limiter's per-user count, taken by the mailbox read in its own script (READ) or on its own.

const redis = new RedisService(testConfig());
const store = new MailboxStore(redis);
store.onModuleInit();
afterAll(() => redis.client.quit());

let owner = 0;
const entry = (postId: number, authorId: string) => ({ postId: String(postId), authorId });

/** A fresh user with a valid mailbox at epoch 1 following author 7, holding `held` (newest first). */
async function builtMailbox(held: ReturnType<typeof entry>[]) {
  owner += 1;
  const id = String(5000 + owner);
  const token = await store.beginBuild(id);
  expect(await store.setFollowees(id, token, ['7'], [])).toBe(true);
  expect(await store.finishBuild(id, { token, epoch: 1, cap: 800, entries: held })).toBe(true);
  return id;
}

describe('request counts on Redis', () => {
  it("counts a read as one of the owner's requests on the rate limiter's counter, and reads nothing over the limit", async () => {
    const me = await builtMailbox([entry(10, '7')]);
    const limit = { windowMs: 60_000, max: 3 };
    const first = await store.read(me, 1, null, 10, { count: limit });
    expect(first).toMatchObject({ valid: true, entries: [entry(10, '7')], requests: { count: 1 } });
    expect(first.requests!.msLeft).toBeGreaterThan(59_000);
    expect(first.requests!.msLeft).toBeLessThanOrEqual(60_000);
    // A read of another epoch is counted too; a request counted on its own shares the count.
    expect(await store.read(me, 2, null, 10, { count: limit })).toMatchObject({
      valid: false,
      limited: false,
      requests: { count: 2 },
    });
    expect(await store.countRequest(me, limit.windowMs)).toMatchObject({ count: 3 });
    expect(await store.read(me, 1, null, 10, { count: limit })).toEqual({
      valid: false,
      limited: true,
      requests: { count: 4, msLeft: expect.any(Number) },
    });
    // Without a limit nothing is counted; the counter is the one @fastify/rate-limit keeps for the user.
    expect((await store.read(me, 1, null, 10)).requests).toBeNull();
    expect(redis.keys.requestCounter(me)).toBe(redis.keys.rateLimitPrefix() + redis.keys.rateLimitUser(me));
    expect(await redis.client.get(redis.keys.requestCounter(me))).toBe('4');
  });

  it('starts a new count when the window ends', async () => {
    const me = await builtMailbox([]);
    const limit = { windowMs: 100, max: 1 };
    expect(await store.read(me, 1, null, 10, { count: limit })).toMatchObject({ valid: true, requests: { count: 1 } });
    expect(await store.read(me, 1, null, 10, { count: limit })).toMatchObject({
      limited: true,
      requests: { count: 2 },
    });
    // The window is over once Redis has expired the counter: waited for, not assumed after a fixed sleep.
    const counter = redis.keys.requestCounter(me);
    for (let i = 0; i < 100 && (await redis.client.exists(counter)) === 1; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await redis.client.exists(counter)).toBe(0);
    expect(await store.read(me, 1, null, 10, { count: limit })).toMatchObject({ valid: true, requests: { count: 1 } });
  });
});
