import { db } from './factory.context.js';
import type { TestUser } from './user.factory.js';

/**
 * `follow(a).of(b)`: a follows b, with both counters kept as the app keeps them (following_count of a,
 * followers_count of b). PostgreSQL only: a mailbox made afterwards (aMailbox) takes its following set from here.
 */
export function follow(follower: TestUser) {
  return {
    of: (followee: TestUser) => setEdges([follower], [followee], 1),
    ofAll: (followees: TestUser[]) => setEdges([follower], followees, 1),
  };
}

/** `followersOf(b).are(users)`: every user in the list follows b. */
export function followersOf(followee: TestUser) {
  return { are: (followers: TestUser[]) => setEdges(followers, [followee], 1) };
}

/** `unfollow(a).of(b)`: the edge removed and both counters lowered. */
export function unfollow(follower: TestUser) {
  return { of: (followee: TestUser) => setEdges([follower], [followee], -1) };
}

/** Every follower × followee pair, added (1) or removed (-1), counting only the edges that changed. */
async function setEdges(followers: TestUser[], followees: TestUser[], by: 1 | -1): Promise<void> {
  const pairs = followers.flatMap((a) =>
    followees.map((b) => ({ followerId: BigInt(a.id), followeeId: BigInt(b.id) })),
  );
  await db().$transaction(async (tx) => {
    const changed =
      by === 1
        ? await tx.follow.createManyAndReturn({ data: pairs, skipDuplicates: true })
        : await tx.follow.findMany({ where: { OR: pairs } });
    if (by === -1) await tx.follow.deleteMany({ where: { OR: pairs } });
    // One UPDATE per distinct change in a counter (a graph of 100 followers is two statements, not 101).
    for (const [key, counter] of [
      ['followerId', 'followingCount'],
      ['followeeId', 'followersCount'],
    ] as const) {
      const perUser = new Map<bigint, number>();
      for (const pair of changed) perUser.set(pair[key], (perUser.get(pair[key]) ?? 0) + by);
      for (const n of new Set(perUser.values())) {
        const ids = [...perUser].filter(([, m]) => m === n).map(([id]) => id);
        await tx.user.updateMany({ where: { id: { in: ids } }, data: { [counter]: { increment: n } } });
      }
    }
  });
}
