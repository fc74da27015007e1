import { afterAll, describe, expect, it } from 'vitest';
import { RedisService } from '#libs/redis';
import { testConfig } from '../../test/support/test-config.js';
import { AuthorTimelineStore, type AuthorTimelineRead } from './author-timeline.store.js';

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

async function read(authorId: string, version?: string): Promise<AuthorTimelineRead> {
  return (await store.readChanged([authorId], [version]))[0]!;
}

async function ids(authorId: string) {
  const r = await read(authorId);
  if (r.status !== 'changed') throw new Error(`timeline ${r.status}`);
  return r.entries.map((e) => Number(e.postId));
}

afterAll(() => redis.client.quit());

describe('AuthorTimelineStore on Redis', () => {
  it('is missing, and ignores new posts, until it is built', async () => {
    const a = author();
    await store.append(entry(10, a), 800);
    expect(await read(a)).toEqual({ authorId: a, status: 'missing' });
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
    expect(await read(a)).toMatchObject({ status: 'changed', floor: '2' });
    expect(await ids(a)).toEqual([4, 3, 2]);
  });

  it('answers "unchanged" at the reader\'s version, and moves the version with every change', async () => {
    const a = author();
    await built(a, [1, 2]);
    const first = await read(a);
    if (first.status !== 'changed') throw new Error('expected the timeline');
    expect(await read(a, first.version)).toEqual({ authorId: a, status: 'unchanged' });
    await store.append(entry(3, a), 800);
    const second = await read(a, first.version);
    expect(second).toMatchObject({ status: 'changed' });
    if (second.status !== 'changed') return;
    await store.append(entry(3, a), 800);
    expect(await read(a, second.version)).toMatchObject({ status: 'unchanged' });
    await store.retract(entry(2, a));
    expect(await read(a, second.version)).toMatchObject({ status: 'changed' });
    expect(await ids(a)).toEqual([3, 1]);
  });

  it('reads several authors in one call', async () => {
    const [a, missing, b] = [author(), author(), author()];
    await built(a, [1]);
    await built(b, [2]);
    const reads = await store.readChanged([a, missing, b], [undefined, undefined, undefined]);
    expect(reads.map((r) => r.status)).toEqual(['changed', 'missing', 'changed']);
  });
});
