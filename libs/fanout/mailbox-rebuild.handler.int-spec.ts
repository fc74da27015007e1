import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { FlagsService } from '#libs/flags';
import { MailboxStore } from '#libs/mailbox';
import { PostsRepository } from '#libs/posts';
import { RedisService } from '#libs/redis';
import {
  aMailbox,
  aPost,
  aUser,
  follow,
  mailboxFloor,
  mailboxIds,
  unfollow,
  useFlags,
  type TestUser,
} from '../../test/factories/index.js';
import { FanoutHarness } from '../../test/support/fanout.harness.js';
import { startServices, type Services } from '../../test/support/services.harness.js';
import { FanoutModule } from './fanout.module.js';
import { REBUILD_ATTEMPTS } from './mailbox-rebuild.handler.js';

const MAILBOX = 10;
let services: Services;
let fanout: FanoutHarness;

beforeAll(async () => {
  services = await startServices([FanoutModule]);
  fanout = new FanoutHarness(services);
});
afterAll(async () => {
  await fanout?.close();
  await services?.close();
});
beforeEach(() => useFlags({ strategy: 'push', celebrityThreshold: 1000, mailboxSize: MAILBOX, fanoutBatchSize: 100 }));

const epoch = () => services.get(FlagsService).current().mailboxEpoch;
const rebuild = (user: TestUser) => fanout.run('mailbox-rebuild', { userId: user.id, epoch: epoch() });
const pullIds = async (user: TestUser, limit: number) =>
  (await services.get(PostsRepository).pullPage(user.id, null, limit)).map((row) => row.id.toString());

/** A reader following two authors (one later unfollowed) with posts, some deleted, and posts of their own. */
async function readerWithHistory(postsEach: number) {
  const [reader, a, b, gone] = await aUser().createMany(4);
  await follow(reader!).ofAll([a!, b!, gone!]);
  for (const author of [a!, b!, reader!, gone!]) await aPost().by(author).createMany(postsEach);
  await aPost().by(a!).deleted().create();
  await unfollow(reader!).of(gone!);
  return reader!;
}

describe('mailbox rebuild', () => {
  it("makes a mailbox equal to the pull query's newest posts, dropping what the user no longer follows", async () => {
    const reader = await readerWithHistory(2);
    const stray = await aPost()
      .by(await aUser().create())
      .create();
    await aMailbox()
      .for(reader)
      .holding([stray])
      .atEpoch(epoch() - 1)
      .create();
    await rebuild(reader);
    const pulled = await pullIds(reader, 100);
    expect(pulled).toHaveLength(6);
    expect(await mailboxIds(reader)).toEqual(pulled);
    expect(await mailboxFloor(reader)).toBe('0');
  });

  it('keeps the newest mailbox-size posts and raises the floor just past the newest it left out', async () => {
    const reader = await readerWithHistory(4);
    await rebuild(reader);
    const pulled = await pullIds(reader, MAILBOX + 1);
    expect(await mailboxIds(reader)).toEqual(pulled.slice(0, MAILBOX));
    expect(await mailboxFloor(reader)).toBe(String(Number(pulled[MAILBOX]) + 1));
  });

  it("starts over at once when the user's follows change during the rebuild, and ends with the new follow's posts", async () => {
    const reader = await readerWithHistory(1);
    const newcomer = await aUser().create();
    const newPost = await aPost().by(newcomer).create();
    const begun = vi.spyOn(services.get(MailboxStore), 'beginBuild');
    // Hold the rebuild between its start in Redis and its reads of PostgreSQL: a lock on follows blocks those reads.
    const blocker = new pg.Client({ connectionString: services.config.databaseUrl });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE follows IN ACCESS EXCLUSIVE MODE');
      const running = rebuild(reader);
      running.catch(() => undefined);
      const state = services.get(RedisService).keys.mailboxState(reader.id);
      await vi.waitFor(async () => expect(await services.get(RedisService).client.hget(state, 'build')).toBeTruthy());
      // What follow sync does for a follow committed meanwhile: the following set changes under the rebuild.
      await blocker.query('INSERT INTO follows (follower_id, followee_id) VALUES ($1, $2)', [reader.id, newcomer.id]);
      await services.get(MailboxStore).addFollowee(reader.id, newcomer.id, false);
      await blocker.query('COMMIT');
      await running;
    } finally {
      await blocker.end();
    }
    expect(begun.mock.calls).toHaveLength(2);
    begun.mockRestore();
    expect(await mailboxIds(reader)).toEqual(await pullIds(reader, 100));
    expect(await mailboxIds(reader)).toContain(newPost.id);
  });

  it(`throws, to be retried, when the follows change under each of its ${REBUILD_ATTEMPTS} tries; the retry succeeds`, async () => {
    const reader = await readerWithHistory(1);
    const newcomer = await aUser().create();
    await follow(reader).of(newcomer);
    const store = services.get(MailboxStore);
    const begun = vi.spyOn(store, 'beginBuild');
    // Follow sync's write for the same follow, again and again: every try of the rebuild sees its follows change.
    let racing = true;
    const race = (async () => {
      while (racing) await store.addFollowee(reader.id, newcomer.id, false);
    })();
    try {
      await expect(rebuild(reader)).rejects.toThrow(new RegExp(`changed during its rebuild ${REBUILD_ATTEMPTS} times`));
    } finally {
      racing = false;
      await race;
    }
    expect(begun.mock.calls).toHaveLength(REBUILD_ATTEMPTS);
    begun.mockRestore();
    expect(await mailboxIds(reader)).toBeNull();
    await rebuild(reader);
    expect(await mailboxIds(reader)).toEqual(await pullIds(reader, 100));
  });

  it('does nothing under strategy pull (nothing fans out, so no mailbox would stay whole)', async () => {
    await useFlags({ strategy: 'pull' });
    const reader = await readerWithHistory(1);
    await rebuild(reader);
    expect(await mailboxIds(reader)).toBeNull();
    expect(
      await services.get(RedisService).client.exists(services.get(RedisService).keys.mailboxState(reader.id)),
    ).toBe(0);
  });
});
