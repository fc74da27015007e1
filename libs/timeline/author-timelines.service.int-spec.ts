import { afterAll, describe, expect, it, vi } from 'vitest';
import { AuthorTimelineStore } from '#libs/mailbox';
import { RedisService } from '#libs/redis';
import { testConfig } from '../../test/support/test-config.js';
import { AuthorTimelinesService } from './author-timelines.service.js';

const redis = new RedisService(testConfig());
const store = new AuthorTimelineStore(redis);
store.onModuleInit();
let next = 0;
const author = () => String(7000 + ++next);

async function built(authorId: string, posts: number[], cap = 800) {
  const token = await store.beginBuild(authorId);
  const entries = posts.map((p) => ({ postId: String(p), authorId }));
  expect(await store.finishBuild(authorId, { token, cap, floor: '0', entries })).toBe(true);
}

afterAll(() => redis.client.quit());

describe('AuthorTimelinesService', () => {
  it('gives the posts between lowest and before, at most want per author', async () => {
    const [a, b] = [author(), author()];
    await built(a, [10, 20, 30, 40, 50]);
    await built(b, [15, 25]);
    const service = new AuthorTimelinesService(store);
    expect(await service.window([a, b], '50', '20', 2)).toEqual({
      lists: [['40', '30'], ['25']],
      fromDatabase: [],
      missing: [],
    });
    expect(await service.window([a], null, '0', 10)).toEqual({
      lists: [['50', '40', '30', '20', '10']],
      fromDatabase: [],
      missing: [],
    });
  });

  it('sees a change made after it cached a timeline', async () => {
    const a = author();
    await built(a, [1, 2]);
    const service = new AuthorTimelinesService(store);
    expect((await service.window([a], null, '0', 10)).lists).toEqual([['2', '1']]);
    await store.append({ postId: '3', authorId: a }, 800);
    await store.retract({ postId: '1', authorId: a });
    expect((await service.window([a], null, '0', 10)).lists).toEqual([['3', '2']]);
  });

  it('never takes a timeline rebuilt after Redis lost it for the one another process cached', async () => {
    const a = author();
    await built(a, [1, 2]);
    const [first, second] = [new AuthorTimelinesService(store), new AuthorTimelinesService(store)];
    expect((await first.window([a], null, '0', 10)).lists).toEqual([['2', '1']]);
    // Redis loses the timeline; the second process finds it missing and it is rebuilt, with other posts, after as
    // many changes as before: a plain counter would be back at the very version the first process holds.
    await redis.client.del(redis.keys.authorTimeline(a), redis.keys.authorTimelineState(a));
    // All of the author's keys, the shard's versions hash among them (one slot: one node loses them together).
    await redis.client.hdel(redis.keys.authorVersions(a), a);
    expect((await second.window([a], null, '0', 10)).missing).toEqual([a]);
    await built(a, [5]);
    expect((await first.window([a], null, '0', 10)).lists).toEqual([['5']]);
  });

  it('sends to PostgreSQL an author whose timeline is missing, or trimmed above the range and short', async () => {
    const [missing, fills, short] = [author(), author(), author()];
    await built(fills, [1, 2, 3], 2); // keeps 3 and 2, floor 2
    await built(short, [1, 2, 3, 4], 2); // keeps 4 and 3, floor 3
    const service = new AuthorTimelinesService(store);
    const found = await service.window([missing, fills, short], '4', '0', 2);
    // Below 4: `fills` alone fills the page; `short` has only 3 above its floor, and older posts may exist.
    expect(found).toEqual({ lists: [['3', '2']], fromDatabase: [missing, short], missing: [missing] });
    // Down to 3 only, `short` is complete.
    expect((await service.window([short], '4', '3', 2)).lists).toEqual([['3']]);
  });

  it('checks the timelines it holds with the versions hash alone, asking the script only for those that moved', async () => {
    const [a, b] = [author(), author()];
    await built(a, [1, 2]);
    await built(b, [3]);
    const service = new AuthorTimelinesService(store);
    const asked = vi.spyOn(store, 'readChanged');
    try {
      expect((await service.window([a, b], null, '0', 10)).lists).toEqual([['2', '1'], ['3']]);
      expect(asked.mock.calls.map(([ids]) => ids)).toEqual([[a, b]]);
      asked.mockClear();
      expect((await service.window([a, b], null, '0', 10)).lists).toEqual([['2', '1'], ['3']]);
      expect(asked).not.toHaveBeenCalled();
      await store.append({ postId: '4', authorId: b }, 800);
      expect((await service.window([a, b], null, '0', 10)).lists).toEqual([
        ['2', '1'],
        ['4', '3'],
      ]);
      expect(asked.mock.calls.map(([ids]) => ids)).toEqual([[b]]);
    } finally {
      asked.mockRestore();
    }
  });

  it('reads a timeline built before versions were published, and publishes it', async () => {
    const a = author();
    await built(a, [1, 2]);
    await redis.client.hdel(redis.keys.authorVersions(a), a);
    const service = new AuthorTimelinesService(store);
    expect((await service.window([a], null, '0', 10)).lists).toEqual([['2', '1']]);
    const state = await redis.client.hmget(redis.keys.authorTimelineState(a), 'gen', 'version');
    expect(await redis.client.hget(redis.keys.authorVersions(a), a)).toBe(`${state[0]}:${state[1]}`);
    // Published, the next change is seen through the hash like any other.
    await store.append({ postId: '3', authorId: a }, 800);
    expect((await service.window([a], null, '0', 10)).lists).toEqual([['3', '2', '1']]);
  });
});
