import { afterAll, describe, expect, it, vi } from 'vitest';
import { memberOf } from '#libs/contract';
import { RedisService } from '#libs/redis';
import { testConfig } from '../../test/support/test-config.js';
import { settleSlack } from './mailbox.settle.js';
import { MailboxStore } from './mailbox.store.js';

const redis = new RedisService(testConfig());
const store = new MailboxStore(redis);
store.onModuleInit();
afterAll(() => redis.client.quit());

let owner = 0;
const entry = (postId: number, authorId: string) => ({ postId: String(postId), authorId });
const posts = (authorId: string, ids: number[]) => ids.map((id) => entry(id, authorId));

/** A fresh user with a valid mailbox at epoch 1 following the given authors, holding `held` (newest first). */
async function freshMailbox(
  followees: string[],
  { cap = 800, held = [] as ReturnType<typeof entry>[], pull = [] as string[] } = {},
) {
  owner += 1;
  const id = String(1000 + owner);
  const token = await store.beginBuild(id);
  expect(await store.setFollowees(id, token, followees, pull)).toBe(true);
  expect(await store.finishBuild(id, { token, epoch: 1, cap, entries: held })).toBe(true);
  return id;
}

async function page(userId: string, before: string | null = null, want = 100) {
  const read = await store.read(userId, 1, before, want);
  if (!read.valid) throw new Error('mailbox not valid');
  return read;
}
const ids = async (userId: string, before: string | null = null, want = 100) =>
  (await page(userId, before, want)).entries.map((e) => Number(e.postId));

describe('MailboxStore on Redis', () => {
  it('delivers idempotently, reads newest first whatever the delivery order, and pages by id', async () => {
    const me = await freshMailbox(['7']);
    await store.deliver([me], posts('7', [10, 30]), 800);
    await store.deliver([me], posts('7', [20]), 800);
    await store.deliver([me], posts('7', [30]), 800);
    expect(await ids(me)).toEqual([30, 20, 10]);
    expect(await ids(me, '30', 1)).toEqual([20]);
  });

  it("never shows posts of authors the owner does not follow (the owner's own excepted), sorted or not", async () => {
    const me = await freshMailbox(['7'], { cap: 100 });
    await store.deliver([me], posts('8', [10]), 100);
    await store.deliver([me], posts(me, [11]), 100);
    expect(await ids(me)).toEqual([11]);
    // Enough deliveries for a settle: the unfollowed author's post reaches the sorted part, and reads still drop it.
    for (let i = 0; i < settleSlack(100); i++) await store.deliver([me], posts('7', [100 + i]), 100);
    const state = await redis.client.hget(redis.keys.mailboxState(me), 'sorted');
    const members = await redis.client.lrange(redis.keys.mailbox(me), 0, Number(state) - 1);
    expect(members).toContain(memberOf(entry(10, '8')));
    const all = await ids(me, null, 200);
    expect(all).toContain(11);
    expect(all).not.toContain(10);
    // Pages below it: the filtered member does not cut a page short of what is there.
    expect(await ids(me, '100', 1)).toEqual([11]);
    // A page whose last sorted member is the filtered one is complete down to it, and the mailbox not run out there:
    // the reader goes on below it (to PostgreSQL past the floor), not past posts the mailbox holds.
    expect(await page(me, '100', 2)).toMatchObject({ bound: '10', exhausted: false });
  });

  it('skips users without a mailbox (a rebuild will make it)', async () => {
    expect(await store.deliver(['999999'], posts('7', [10]), 800)).toBe(0);
    expect((await store.read('999999', 1, null, 10)).valid).toBe(false);
    expect(await redis.client.exists(redis.keys.mailbox('999999'))).toBe(0);
  });

  it('settles deliveries into the sorted part and cuts it to the cap, raising the floor past what it cut', async () => {
    const cap = 20;
    const me = await freshMailbox(['7'], { cap });
    // Older posts arriving after newer ones: the settle merges them in order.
    const order = [...Array.from({ length: 30 }, (_, i) => 100 + i), 1, 2, 3];
    for (const id of order) await store.deliver([me], posts('7', [id]), cap);
    const state = await redis.client.hgetall(redis.keys.mailboxState(me));
    const length = await redis.client.llen(redis.keys.mailbox(me));
    expect(length - Number(state.sorted)).toBeLessThan(settleSlack(cap));
    expect(length - 1).toBeLessThanOrEqual(cap + settleSlack(cap));
    const read = await page(me, null, 100);
    expect(Number(read.floor)).toBeGreaterThan(100);
    expect(read.entries.map((e) => Number(e.postId))).toEqual(
      order.filter((id) => id >= Number(read.floor)).sort((a, b) => b - a),
    );
    expect(read.exhausted).toBe(true);
  });

  it('pages through the sorted part and the recent deliveries without gaps or repeats', async () => {
    const me = await freshMailbox(['7'], { held: posts('7', [90, 70, 50, 30, 10]) });
    await store.deliver([me], posts('7', [60, 100, 20]), 800);
    const seen: number[] = [];
    let before: string | null = null;
    for (;;) {
      const read = await page(me, before, 2);
      seen.push(...read.entries.slice(0, 2).map((e) => Number(e.postId)));
      if (read.exhausted) break;
      before = read.bound;
    }
    expect(seen).toEqual([100, 90, 70, 60, 50, 30, 20, 10]);
  });

  it("raises the floor when a backfill may not hold the author's older posts", async () => {
    const me = await freshMailbox(['7']);
    await store.deliver([me], posts('7', [30, 20]), 800, '20');
    expect(await page(me)).toMatchObject({ floor: '20', exhausted: true });
    await store.deliver([me], posts('7', [10]), 800);
    expect(await ids(me)).toEqual([30, 20]);
  });

  // A backfill of an author with fewer posts than the cap has no floor to give: it must still settle at once, not lie
  // in the unsorted recent part (which every read takes whole) until a later delivery's settle.
  it('settles a backfill of old posts at once, with or without a floor', async () => {
    const held = Array.from({ length: 40 }, (_, i) => entry(1000 - i * 10, '8'));
    for (const floor of ['0', '5']) {
      const me = await freshMailbox(['7', '8'], { held });
      await store.deliver([me], posts('7', [995, 975, 955, 5]), 800, floor);
      const list = await redis.client.lrange(redis.keys.mailbox(me), 0, -1);
      expect(Number(await redis.client.hget(redis.keys.mailboxState(me), 'sorted'))).toBe(list.length);
      expect(list.length).toBe(40 + 4 + 1);
      expect(await ids(me, null, 5)).toEqual([1000, 995, 990, 980, 975]);
    }
  });

  it('retracts every post of an unfollowed author and refuses their later deliveries', async () => {
    const me = await freshMailbox(['7', '8'], { held: [entry(3, '7'), entry(2, '8'), entry(1, '7')] });
    await store.deliver([me], posts('7', [4]), 800);
    await store.retractAuthor(me, '7');
    await store.deliver([me], posts('7', [5]), 800);
    expect(await ids(me)).toEqual([2]);
    await store.deliver([me], posts('8', [6]), 800);
    expect(await ids(me)).toEqual([6, 2]);
  });

  it('is not readable under another epoch or while being rebuilt', async () => {
    const me = await freshMailbox([]);
    expect((await store.read(me, 2, null, 10)).valid).toBe(false);
    await store.beginBuild(me);
    expect((await store.read(me, 1, null, 10)).valid).toBe(false);
  });

  it('makes a rebuild start over when a follow changed during it', async () => {
    const me = await freshMailbox([]);
    const token = await store.beginBuild(me);
    await store.addFollowee(me, '9', false);
    expect(await store.setFollowees(me, token, [], [])).toBe(false);
    const retry = await store.beginBuild(me);
    expect(await store.setFollowees(me, retry, ['9'], [])).toBe(true);
    await store.retractAuthor(me, '9');
    expect(await store.finishBuild(me, { token: retry, epoch: 1, cap: 800, entries: [] })).toBe(false);
  });

  it('replaces the mailbox, keeping what was delivered after the following set was written', async () => {
    const me = await freshMailbox(['9', '6'], { held: posts('9', [5, 4]) });
    const token = await store.beginBuild(me);
    await store.deliver([me], posts('6', [51]), 800);
    expect(await store.setFollowees(me, token, ['9'], [])).toBe(true);
    await store.deliver([me], posts('9', [50]), 800);
    await store.deliver([me], posts('6', [52]), 800);
    expect(await store.finishBuild(me, { token, epoch: 1, cap: 800, entries: posts('9', [40]) })).toBe(true);
    expect(await ids(me)).toEqual([50, 40]);
  });

  it('cuts a rebuild to the cap and sets the floor where it cut', async () => {
    const me = await freshMailbox(['7'], { cap: 3, held: posts('7', [9, 8, 7, 6]) });
    expect(await page(me)).toMatchObject({ floor: '7', exhausted: true });
    expect(await ids(me)).toEqual([9, 8, 7]);
  });

  it('knows which pull-mode authors the owner follows, from a follow, a rebuild or an announcement', async () => {
    const me = await freshMailbox(['7', '8', '5'], { pull: ['5'] });
    await store.addFollowee(me, '9', true);
    await store.addPullAuthor([me, '999997'], '7');
    await store.addPullAuthor([me], '4');
    expect((await page(me)).pullFollowees.sort()).toEqual(['5', '7', '9']);
    await store.retractAuthor(me, '7');
    expect((await page(me)).pullFollowees.sort()).toEqual(['5', '9']);
    expect(await redis.client.exists(redis.keys.pullFollowees('999997'))).toBe(0);
  });

  it('starts a rebuild over when an author it may have read before they entered pull mode is announced', async () => {
    // Redis lost the mailbox (or it never had one): the rebuild's following set is not written yet when the author
    // is announced, and the followees it read from PostgreSQL may not have the author in pull mode.
    owner += 1;
    const me = String(1000 + owner);
    const token = await store.beginBuild(me);
    await store.addPullAuthor([me], '7');
    expect(await store.setFollowees(me, token, ['7'], [])).toBe(false);
    const retry = await store.beginBuild(me);
    expect(await store.setFollowees(me, retry, ['7'], ['7'])).toBe(true);
    expect(await store.finishBuild(me, { token: retry, epoch: 1, cap: 800, entries: [] })).toBe(true);
    expect((await page(me)).pullFollowees).toEqual(['7']);
  });

  it('sends a delivery of many posts to many owners in bounded pipelines, each owner getting every post', async () => {
    const owners = await Promise.all(Array.from({ length: 40 }, () => freshMailbox(['7'])));
    const many = posts(
      '7',
      Array.from({ length: 300 }, (_, i) => 5000 + i),
    );
    const pipeline = vi.spyOn(redis.client, 'pipeline');
    try {
      expect(await store.deliver(owners, many, 800)).toBe(40 * 300);
      // 5,000 writes a pipeline, an owner of a backfill counting its 300 posts and the cap (it merges into the whole
      // list): 4 owners a pipeline, so ten for 40 owners.
      expect(pipeline).toHaveBeenCalledTimes(10);
      pipeline.mockClear();
      // One post (a fan-out's delivery, settled every few dozen): all 40 owners in one pipeline.
      expect(await store.deliver(owners, posts('7', [6000]), 800)).toBe(40);
      expect(pipeline).toHaveBeenCalledTimes(1);
    } finally {
      pipeline.mockRestore();
    }
    for (const owner of [owners[0]!, owners[39]!]) expect((await ids(owner, null, 400)).length).toBe(301);
  });

  it('delivers to many owners across shards in one call, skipping those without a mailbox', async () => {
    const owners = [await freshMailbox(['7']), '999998', await freshMailbox(['7']), await freshMailbox(['8'])];
    expect(await store.deliver(owners, posts('7', [10, 11]), 800)).toBe(6);
    expect(await ids(owners[0]!)).toEqual([11, 10]);
    expect(await ids(owners[2]!)).toEqual([11, 10]);
    expect(await ids(owners[3]!)).toEqual([]);
  });

  it('sends single posts delivered at the same time as one pipeline, each owner getting its posts in order', async () => {
    const [a, b, c] = [await freshMailbox(['7', '8']), await freshMailbox(['7', '8']), await freshMailbox(['7', '8'])];
    const pipeline = vi.spyOn(redis.client, 'pipeline');
    try {
      const counts = await Promise.all([
        store.deliver([a!, b!], posts('7', [10]), 800),
        store.deliver([b!, c!], posts('8', [11]), 800),
        store.deliver([c!, '999997', a!, b!], posts('7', [12]), 800),
      ]);
      expect(counts).toEqual([2, 2, 3]);
      expect(pipeline).toHaveBeenCalledTimes(1);
    } finally {
      pipeline.mockRestore();
    }
    expect(await ids(a!)).toEqual([12, 10]);
    expect(await ids(b!)).toEqual([12, 11, 10]);
    expect(await ids(c!)).toEqual([12, 11]);
    // Oldest first into the list: the newest lies at its tail, as one post at a time would have left it.
    expect((await redis.client.lrange(redis.keys.mailbox(b!), -3, -1)).map((m) => Number(m.split(':')[0]))).toEqual([
      10, 11, 12,
    ]);
  });
});
