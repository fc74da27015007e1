import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FlagsService } from '#libs/flags';
import { jobIds } from '#libs/jobs';
import {
  aCelebrity,
  anEvent,
  flagsRow,
  idsOf,
  mailboxFloor,
  mailboxIds,
  newestFirst,
  setPullMode,
  useFlags,
  userRow,
} from '../../test/factories/index.js';
import { FanoutHarness } from '../../test/support/fanout.harness.js';
import { startServices, type Services } from '../../test/support/services.harness.js';
import { FanoutModule } from './fanout.module.js';

const BATCH = 10;
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
beforeEach(() => useFlags({ strategy: 'hybrid', celebrityThreshold: 3, mailboxSize: MAILBOX, fanoutBatchSize: BATCH }));

const demote = (authorId: string, pullVersion: number) => fanout.run('demote-author', { authorId, pullVersion });

describe('demotion (demote-author)', () => {
  it('backfills the recent posts to every follower, in every batch, then leaves pull mode, announced', async () => {
    const celebrity = await aCelebrity()
      .withFollowers(BATCH + 2)
      .withPosts(MAILBOX + 1)
      .withMailboxes()
      .create();
    await useFlags({ celebrityThreshold: 1000 });
    const version = (await flagsRow()).version;
    await demote(celebrity.author.id, celebrity.pullVersion);

    const recent = newestFirst(celebrity.posts).slice(0, MAILBOX);
    for (const owner of celebrity.followers) {
      expect(await mailboxIds(owner)).toEqual(idsOf(recent));
      // One older post exists beyond what a mailbox holds: below the floor reads go to PostgreSQL.
      expect(await mailboxFloor(owner)).toBe(recent[MAILBOX - 1]!.id);
    }
    expect(await userRow(celebrity.author)).toMatchObject({ pullMode: false, pullVersion: celebrity.pullVersion });
    expect((await flagsRow()).version).toBeGreaterThan(version);
    expect(services.get(FlagsService).current().pullAuthors.has(celebrity.author.id)).toBe(false);
  });

  it('does nothing when the pull version moved since it was requested (a newer pulled post)', async () => {
    const celebrity = await aCelebrity().withFollowers(3).withPosts(2).withMailboxes().create();
    await useFlags({ strategy: 'push' });
    const moved = await setPullMode(celebrity.author, true);
    await demote(celebrity.author.id, celebrity.pullVersion);
    expect(await mailboxIds(celebrity.followers[0]!)).toEqual([]);
    expect(await userRow(celebrity.author)).toMatchObject({ pullMode: true, pullVersion: moved });
  });

  it('does nothing while the author is still a celebrity', async () => {
    const celebrity = await aCelebrity().withFollowers(3).withPosts(1).withMailboxes().create();
    await demote(celebrity.author.id, celebrity.pullVersion);
    expect(await mailboxIds(celebrity.followers[2]!)).toEqual([]);
    expect((await userRow(celebrity.author)).pullMode).toBe(true);
  });
});

describe('flag changes (flags.changed)', () => {
  it('request the demotion of each pull-mode author who fans out under the new flags, and only those', async () => {
    await fanout.empty();
    const small = await aCelebrity().withFollowers(3).create();
    const big = await aCelebrity().withFollowers(5).create();
    await useFlags({ celebrityThreshold: 4 });
    await fanout.runEvent(await anEvent({ type: 'flags.changed', payload: { version: 0 } }).create());
    const waiting = await fanout.waitingIds('demote-author');
    expect(waiting).toContain(jobIds.demote(small.author.id, small.pullVersion));
    expect(waiting).not.toContain(jobIds.demote(big.author.id, big.pullVersion));
  });
});
