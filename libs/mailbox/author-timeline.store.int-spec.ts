import { afterAll, describe, expect, it } from 'vitest';
import { RedisService } from '#libs/redis';
import { testConfig } from '../../test/support/test-config.js';
import { AuthorTimelineStore } from './author-timeline.store.js';

const redis = new RedisService(testConfig());
const store = new AuthorTimelineStore(redis);
store.onModuleInit();
let next = 0;
const author = () => String(5000 + ++next);
const entry = (postId: number, authorId: string) => ({ postId: String(postId), authorId });

async function built(authorId: string, posts: number[], cap = 800, floor = '0') {
  const token = await store.beginBuild(authorId);
  const entries = posts.map((p) => entry(p, authorId));
  expect(await store.finishBuild(authorId, { token, cap, floor, entries })).toBe(true);
}

async function ids(authorId: string, before: string | null = null, limit = 100) {
  const [read] = await store.read([authorId], before, limit);
  if (!read!.valid) throw new Error('not built');
  return read!.entries.map((e) => Number(e.postId));
}

afterAll(() => redis.client.quit());

describe('AuthorTimelineStore on Redis', () => {
  it('is not readable, and ignores new posts, until it is built', async () => {
    const a = author();
    await store.append(entry(10, a), 800);
    expect(await store.read([a], null, 10)).toEqual([{ authorId: a, valid: false }]);
    await built(a, [5, 7]);
    expect(await ids(a)).toEqual([7, 5]);
  });

  it('keeps posts appended while a build runs, then adds what the build read', async () => {
    const a = author();
    const token = await store.beginBuild(a);
    await store.append(entry(30, a), 800);
    expect(await store.finishBuild(a, { token, cap: 800, floor: '0', entries: [entry(20, a)] })).toBe(true);
    await store.append(entry(40, a), 800);
    expect(await ids(a)).toEqual([40, 30, 20]);
  });

  it('refuses a build that another build took over', async () => {
    const a = author();
    const first = await store.beginBuild(a);
    await store.beginBuild(a);
    expect(await store.finishBuild(a, { token: first, cap: 800, floor: '0', entries: [] })).toBe(false);
  });

  it('trims to the cap and raises the floor, so readers know older posts may be missing', async () => {
    const a = author();
    await built(a, [1, 2, 3], 3);
    await store.append(entry(4, a), 3);
    const [read] = await store.read([a], null, 10);
    expect(read).toMatchObject({ valid: true, floor: '2' });
    expect(await ids(a)).toEqual([4, 3, 2]);
  });

  it('reads several authors in one call, newest first below the cursor, and forgets retracted posts', async () => {
    const [a, b, missing] = [author(), author(), author()];
    await built(a, [1, 3, 5]);
    await built(b, [2, 4]);
    await store.retract(entry(3, a));
    const reads = await store.read([a, missing, b], '5', 10);
    expect(reads.map((r) => (r.valid ? r.entries.map((e) => e.postId) : null))).toEqual([['1'], null, ['4', '2']]);
  });
});
