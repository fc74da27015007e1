import { afterAll, describe, expect, it } from 'vitest';
import { RedisService } from '#libs/redis';
import { testConfig } from '../../test/support/test-config.js';
import { MailboxStore } from './mailbox.store.js';

const redis = new RedisService(testConfig());
const store = new MailboxStore(redis);
store.onModuleInit();
let owner = 0;
const entry = (postId: number, authorId: string) => ({ postId: String(postId), authorId });

/** A fresh user with an empty, valid mailbox at epoch 1 following the given authors. */
async function freshMailbox(followees: string[], cap = 800): Promise<string> {
  owner += 1;
  const id = String(1000 + owner);
  const token = await store.beginBuild(id);
  expect(await store.finishBuild(id, { token, epoch: 1, cap, floor: '0', followees, entries: [] })).toBe(true);
  return id;
}

async function ids(userId: string, before: string | null = null, limit = 100) {
  const read = await store.read(userId, 1, before, limit, '');
  if (!read.valid) throw new Error('mailbox not valid');
  return read.entries.map((e) => Number(e.postId));
}

afterAll(() => redis.client.quit());

describe('MailboxStore on Redis', () => {
  it('delivers idempotently, newest first', async () => {
    const me = await freshMailbox(['7']);
    await store.deliver([me], [entry(10, '7'), entry(30, '7')], 800);
    await store.deliver([me], [entry(20, '7'), entry(30, '7')], 800);
    expect(await ids(me)).toEqual([30, 20, 10]);
    expect(await ids(me, '30', 1)).toEqual([20]);
  });

  it('does not write posts of authors the owner does not follow, except their own', async () => {
    const me = await freshMailbox(['7']);
    await store.deliver([me], [entry(10, '8'), entry(11, me)], 800);
    expect(await ids(me)).toEqual([11]);
  });

  it('skips users without a mailbox (a rebuild will make it)', async () => {
    expect(await store.deliver(['999999'], [entry(10, '7')], 800)).toBe(0);
    expect((await store.read('999999', 1, null, 10, '')).valid).toBe(false);
  });

  it('trims to the cap in the same call and raises the floor to the oldest kept post', async () => {
    const me = await freshMailbox(['7'], 3);
    await store.deliver(
      [me],
      [1, 2, 3, 4, 5].map((id) => entry(id, '7')),
      3,
    );
    const read = await store.read(me, 1, null, 10, '');
    expect(read).toMatchObject({ valid: true, floor: '3' });
    expect(await ids(me)).toEqual([5, 4, 3]);
    await store.deliver([me], [entry(2, '7')], 3);
    expect(await ids(me)).toEqual([5, 4, 3]);
  });

  it('lets a full mailbox run a little over its cap before trimming it back', async () => {
    const me = await freshMailbox(['7'], 32);
    const slack = 2;
    await store.deliver(
      [me],
      Array.from({ length: 32 + slack }, (_, i) => entry(i + 1, '7')),
      32,
    );
    expect(await store.read(me, 1, null, 100, '')).toMatchObject({ valid: true, floor: '0' });
    expect(await ids(me)).toHaveLength(32 + slack);
    await store.deliver([me], [entry(100, '7')], 32);
    expect(await ids(me)).toHaveLength(32);
    expect(await store.read(me, 1, null, 100, '')).toMatchObject({ valid: true, floor: '4' });
  });

  it('delivers to many owners in one call, skipping those without a mailbox', async () => {
    const owners = [await freshMailbox(['7']), '999998', await freshMailbox(['8'])];
    expect(await store.deliver(owners, [entry(10, '7'), entry(11, '8')], 800)).toBe(2);
    expect(await ids(owners[0]!)).toEqual([10]);
    expect(await ids(owners[2]!)).toEqual([11]);
  });

  it("raises the floor when a backfill may not hold the author's older posts", async () => {
    const me = await freshMailbox(['7']);
    await store.deliver([me], [entry(20, '7'), entry(30, '7')], 800, '20');
    expect(await store.read(me, 1, null, 10, '')).toMatchObject({ valid: true, floor: '20' });
    await store.deliver([me], [entry(10, '7')], 800);
    expect(await ids(me)).toEqual([30, 20]);
  });

  it('retracts every post of an unfollowed author and refuses their later deliveries', async () => {
    const me = await freshMailbox(['7', '8']);
    await store.deliver([me], [entry(1, '7'), entry(2, '8'), entry(3, '7')], 800);
    await store.retractAuthor(me, '7');
    await store.deliver([me], [entry(4, '7')], 800);
    expect(await ids(me)).toEqual([2]);
  });

  it('is not readable under another epoch or while being rebuilt', async () => {
    const me = await freshMailbox([]);
    expect((await store.read(me, 2, null, 10, '')).valid).toBe(false);
    await store.beginBuild(me);
    expect((await store.read(me, 1, null, 10, '')).valid).toBe(false);
  });

  it('makes a rebuild start over when the following set changed during it', async () => {
    const me = await freshMailbox([]);
    const token = await store.beginBuild(me);
    await store.addFollowee(me, '9');
    const build = { token, epoch: 1, cap: 800, floor: '0', followees: [], entries: [] };
    expect(await store.finishBuild(me, build)).toBe(false);
    const retry = await store.beginBuild(me);
    expect(await store.finishBuild(me, { ...build, token: retry, followees: ['9'], entries: [entry(5, '9')] })).toBe(
      true,
    );
    expect(await ids(me)).toEqual([5]);
  });

  it('keeps deliveries made during a rebuild, minus authors the rebuilt following set lacks', async () => {
    const me = await freshMailbox([]);
    const token = await store.beginBuild(me);
    await store.deliver([me], [entry(50, '9'), entry(51, '6')], 800);
    const build = { token, epoch: 1, cap: 800, floor: '0', followees: ['9'], entries: [entry(40, '9')] };
    expect(await store.finishBuild(me, build)).toBe(true);
    expect(await ids(me)).toEqual([50, 40]);
  });

  it('tells which pull-mode authors the owner follows', async () => {
    const me = await freshMailbox(['7', '8']);
    const read = await store.read(me, 1, null, 10, '8,9,7');
    expect(read.valid && read.followedPullAuthors.sort()).toEqual(['7', '8']);
  });
});
