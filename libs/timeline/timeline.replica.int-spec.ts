import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FanoutModule } from '#libs/fanout';
import { PostsService } from '#libs/posts';
import { FollowsService, SocialModule } from '#libs/social';
import {
  aPost,
  aMailbox,
  aUser,
  authorTimelineOf,
  follow,
  idsOf,
  useFlags,
  type TestUser,
} from '../../test/factories/index.js';
import { FanoutHarness } from '../../test/support/fanout.harness.js';
import { ReplicatedPostgres } from '../../test/support/replica.control.js';
import { startServices, type Services } from '../../test/support/services.harness.js';
import { readAllPages, timed } from '../../test/support/timeline.reader.js';
import { TimelineModule } from './timeline.module.js';
import { TimelineService } from './timeline.service.js';

// Reads routed to a real streaming replica (pg_basebackup -R from a private primary): replay is paused to make lag on
// demand, so which server answered shows in what comes back, and pg_stat_activity on the replica shows what it ran.

const PULL_SQL = 'UNION ALL SELECT $1'; // the pull join (posts.repository.ts, PULL_PAGE)
const HYDRATE_SQL = 'WHERE p.id = ANY($1::bigint[])';
const RECENT_SQL = 'deleted_at IS NULL ORDER BY id DESC LIMIT $2'; // an author-timeline build (RECENT_REFS)

let db: ReplicatedPostgres;
let services: Services;
let fanout: FanoutHarness;
let timeline: TimelineService;
let posts: PostsService;
let follows: FollowsService;
/** Every user the tests made: the invariant is checked on all of them at the end. */
const everyone: TestUser[] = [];

beforeAll(async () => {
  db = await ReplicatedPostgres.start('fanout_lab_replica');
  services = await startServices([TimelineModule, SocialModule, FanoutModule], {
    env: { DATABASE_URL: db.primaryUrl, DATABASE_READ_URL: db.replicaUrl },
  });
  fanout = new FanoutHarness(services);
  [timeline, posts, follows] = [
    services.get(TimelineService),
    services.get(PostsService),
    services.get(FollowsService),
  ];
  await useFlags({ strategy: 'hybrid', celebrityThreshold: 1000, mailboxSize: 800, fanoutBatchSize: 100 });
}, 60_000);
afterAll(async () => {
  await fanout?.close();
  await services?.close();
  await db?.stop();
});

async function users(count: number): Promise<TestUser[]> {
  const made = await aUser().createMany(count);
  everyone.push(...made);
  return made;
}

const pull = async (reader: TestUser) => idsOf((await timeline.read(reader.id, 'pull', undefined, 50)).items);

/** Whether the replica ran a statement containing `sql` since `since`. */
const replicaRan = async (since: Date, sql: string) => (await db.statementsSince(since)).some((q) => q.includes(sql));

describe('reads with a streaming replica', () => {
  it("serves pull reads from the replica, and a user's reads after their own write from the primary", async () => {
    const [alice, bob, carol, erin] = (await users(4)) as [TestUser, TestUser, TestUser, TestUser];
    await follow(bob).of(alice);
    await follow(erin).of(alice);
    const old = await aPost().by(alice).create();
    await db.caughtUp();

    const since = await db.mark();
    expect(await pull(bob)).toEqual([old.id]);
    expect(await replicaRan(since, PULL_SQL)).toBe(true);

    await db.pauseReplay();
    const posted = await posts.create(alice.id, 'while the replica lags');
    await follows.follow(carol.id, alice.id);
    await follows.unfollow(erin.id, alice.id);
    // Each writer sees their own write at once: the replica has not replayed it, so the primary answered.
    expect(await pull(alice)).toEqual([posted.id, old.id]);
    expect(await pull(carol)).toEqual([posted.id, old.id]);
    expect(await pull(erin)).toEqual([]);
    expect(idsOf((await posts.byAuthor(alice.id, undefined, 10)).items)).toEqual([posted.id, old.id]);
    await posts.delete(alice.id, old.id);
    expect(await pull(alice)).toEqual([posted.id]);
    // Bob wrote nothing: the replica answers him, as it was before the pause.
    expect(await pull(bob)).toEqual([old.id]);

    await db.resumeReplay();
    expect(await pull(bob)).toEqual([posted.id]);
    await fanout.drainThroughRouter();
  });

  it('hydrates posts missing from the cache on the replica, and those it has not replayed on the primary', async () => {
    const [author, reader] = (await users(2)) as [TestUser, TestUser];
    await follow(reader).of(author);
    const first = await aPost().by(author).create();
    await aMailbox().for(reader).holding([first]).create();
    await db.caughtUp();

    const since = await db.mark();
    expect(idsOf((await timeline.read(reader.id, undefined, undefined, 10)).items)).toEqual([first.id]);
    expect(await replicaRan(since, HYDRATE_SQL)).toBe(true);

    await db.pauseReplay();
    // Made behind the product's back: not cached, not on the replica, and nobody's write position recorded.
    const second = await aPost().by(author).create();
    await aMailbox().for(reader).holding([first, second]).create();
    const page = await timeline.read(reader.id, undefined, undefined, 10);
    expect(page.source).toBe('mailbox');
    expect(idsOf(page.items)).toEqual([second.id, first.id]);
    await db.resumeReplay();
  });

  it('builds the timeline of a new celebrity with the post that made them one, however far the replica lags', async () => {
    await useFlags({ celebrityThreshold: 3 });
    const [star, ...fans] = (await users(4)) as [TestUser, ...TestUser[]];
    for (const fan of fans) await follow(fan).of(star);
    for (const user of [star, ...fans]) await aMailbox().for(user).create();
    await db.caughtUp();

    await db.pauseReplay();
    const posted = await posts.create(star.id, 'the post past the threshold');
    await fanout.drainThroughRouter();
    expect((await authorTimelineOf(star))?.ids).toEqual([posted.id]);
    const hybrid = await timeline.read(fans[0]!.id, 'hybrid', undefined, 10);
    expect({ source: hybrid.source, ids: idsOf(hybrid.items) }).toEqual({ source: 'mailbox', ids: [posted.id] });
    // The fan's pull read is the replica's, which has not replayed the post yet.
    expect(await pull(fans[0]!)).toEqual([]);
    await db.resumeReplay();

    // Caught up, a build reads the replica.
    const since = await db.mark();
    await fanout.run('author-timeline-build', { authorId: star.id });
    expect(await replicaRan(since, RECENT_SQL)).toBe(true);
    expect((await authorTimelineOf(star))?.ids).toEqual([posted.id]);
    await useFlags({ celebrityThreshold: 1000 });
  });

  it('reads from the primary, fast and without errors, while the replica is down, and returns to it after', async () => {
    const [author, reader] = (await users(2)) as [TestUser, TestUser];
    await follow(reader).of(author);
    const post = await aPost().by(author).create();
    await db.caughtUp();

    await db.replica.stop();
    for (let i = 0; i < 5; i++) {
      const { ms, result } = await timed(() => pull(reader));
      expect(result).toEqual([post.id]);
      expect(ms).toBeLessThan(500);
    }

    await db.replica.restart();
    let back = false;
    for (let i = 0; i < 50 && !back; i++) {
      const since = await db.mark();
      expect(await pull(reader)).toEqual([post.id]);
      back = await replicaRan(since, PULL_SQL);
      if (!back) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(back).toBe(true);
  });

  it('gives every user the same timeline under push, hybrid and pull once the replica and the queue are caught up', async () => {
    await fanout.drainThroughRouter();
    // A first read asks for the mailbox of a user who has none; the rebuilds run, then every mailbox serves.
    for (const user of everyone) await timeline.read(user.id, 'hybrid', undefined, 1);
    await fanout.drainThroughRouter();
    await db.caughtUp();
    for (const user of everyone) {
      expect((await timeline.read(user.id, 'push', undefined, 1)).source).toBe('mailbox');
      const [pulled, pushed, hybrid] = [
        await readAllPages(timeline, user, 7, 'pull'),
        await readAllPages(timeline, user, 7, 'push'),
        await readAllPages(timeline, user, 7, 'hybrid'),
      ];
      expect({ user: user.id, pushed, hybrid }).toEqual({ user: user.id, pushed: pulled, hybrid: pulled });
    }
  });
});
