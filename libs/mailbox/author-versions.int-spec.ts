import { afterAll, describe, expect, it } from 'vitest';
import { RedisService } from '#libs/redis';
import { testConfig } from '../../test/support/test-config.js';
import { AuthorTimelineStore } from './author-timeline.store.js';
import { MailboxStore } from './mailbox.store.js';

// A hybrid read learns the celebrity timeline versions of its reader's slot from the mailbox read itself (READ with
// versions), and asks for the others' as before.

const redis = new RedisService(testConfig({ REDIS_SHARDS: '16' }));
const mailboxes = new MailboxStore(redis);
const timelines = new AuthorTimelineStore(redis);
mailboxes.onModuleInit();
timelines.onModuleInit();
afterAll(() => redis.client.quit());

async function builtTimeline(authorId: string, postId: number) {
  const token = await timelines.beginBuild(authorId);
  const entries = [{ postId: String(postId), authorId }];
  expect(await timelines.finishBuild(authorId, { token, cap: 800, floor: '0', entries })).toBe(true);
}

async function builtMailbox(ownerId: string, pull: string[]) {
  const token = await mailboxes.beginBuild(ownerId);
  expect(await mailboxes.setFollowees(ownerId, token, pull, pull)).toBe(true);
  expect(await mailboxes.finishBuild(ownerId, { token, epoch: 1, cap: 800, entries: [] })).toBe(true);
}

describe('author timeline versions read with the mailbox', () => {
  it("gives the reader's own and its slot's followed timelines' versions, and leaves other slots' out", async () => {
    // Ids 16 apart share a shard; 7017 is in another one.
    const [reader, sameSlot, unbuilt, otherSlot] = ['7000', '7016', '7032', '7017'];
    for (const [author, post] of [
      [reader, 10],
      [sameSlot, 20],
      [otherSlot, 30],
    ] as const) {
      await builtTimeline(author, post);
    }
    await builtMailbox(reader, [sameSlot, unbuilt, otherSlot]);
    const read = await mailboxes.read(reader, 1, null, 10, { versions: true });
    const known = timelines.known(reader, read);
    const published = await timelines.versions([reader, sameSlot]);
    expect(published.every((v) => typeof v === 'string')).toBe(true);
    expect(known).toEqual(
      new Map([
        [reader, published[0]],
        [sameSlot, published[1]],
        [unbuilt, undefined],
      ]),
    );
    // A change moves the version the next read finds.
    await timelines.append({ postId: '21', authorId: sameSlot }, 800);
    const after = timelines.known(reader, await mailboxes.read(reader, 1, null, 10, { versions: true }));
    expect(after.get(sameSlot)).toBe((await timelines.versions([sameSlot]))[0]);
    expect(after.get(sameSlot)).not.toBe(published[1]);
    // Not asked for: none.
    expect(timelines.known(reader, await mailboxes.read(reader, 1, null, 10))).toEqual(new Map());
  });
});
