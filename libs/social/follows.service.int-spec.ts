import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrismaService } from '#libs/db';
import { FanoutQueue, jobIds } from '#libs/jobs';
import { aUser, userRow, type TestUser } from '../../test/factories/index.js';
import { startServices, type Services } from '../../test/support/services.harness.js';
import { FollowsRepository } from './follows.repository.js';
import { FollowsService } from './follows.service.js';
import { SocialModule } from './social.module.js';

let services: Services;
let follows: FollowsService;

beforeAll(async () => {
  services = await startServices([SocialModule], { env: { MAX_FOLLOWING: '3' } });
  follows = services.get(FollowsService);
});
afterAll(() => services?.close());

/** The outbox events about this pair, oldest first. */
async function eventsOf(follower: TestUser, followee: TestUser) {
  const rows = await services.get(PrismaService).outboxEvent.findMany({
    where: { payload: { equals: { followerId: follower.id, followeeId: followee.id } } },
    orderBy: { id: 'asc' },
  });
  return rows.map((r) => ({ id: r.id.toString(), type: r.type }));
}

describe('FollowsService', () => {
  it('refuses a follow past MAX_FOLLOWING with FOLLOW_LIMIT and writes nothing, even when they race', async () => {
    const fan = await aUser().create();
    const stars = await aUser().createMany(6);
    const results = await Promise.allSettled(stars.map((star) => follows.follow(fan.id, star.id)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    for (const refused of results.filter((r) => r.status === 'rejected')) {
      expect(refused.reason).toMatchObject({ code: 'FOLLOW_LIMIT', status: 409 });
    }
    const prisma = services.get(PrismaService);
    expect(await prisma.follow.count({ where: { followerId: BigInt(fan.id) } })).toBe(3);
    expect((await prisma.user.findUniqueOrThrow({ where: { id: BigInt(fan.id) } })).followingCount).toBe(3);
    const events = await prisma.outboxEvent.count({
      where: { type: 'follow.created', payload: { path: ['followerId'], equals: fan.id } },
    });
    expect(events).toBe(3);
    // At the limit, a repeat of an existing follow is still the idempotent no-op, not an error.
    const followed = stars.find((_, i) => results[i]!.status === 'fulfilled')!;
    await expect(follows.follow(fan.id, followed.id)).resolves.toBeUndefined();
  });

  it('follows once: one edge, one follow.created event and its job, counters moved once', async () => {
    const [ann, bob] = await aUser().createMany(2);
    await follows.follow(ann!.id, bob!.id);
    await follows.follow(ann!.id, bob!.id);

    expect((await services.get(FollowsRepository).state(ann!.id, bob!.id)).following).toBe(true);
    const events = await eventsOf(ann!, bob!);
    expect(events.map((e) => e.type)).toEqual(['follow.created']);
    const job = await services.get(FanoutQueue).queue.getJob(jobIds.event(events[0]!.id));
    expect(job?.data.event).toEqual({ type: 'follow.created', payload: { followerId: ann!.id, followeeId: bob!.id } });
    expect(await userRow(ann!)).toMatchObject({ followingCount: 1, followersCount: 0 });
    expect(await userRow(bob!)).toMatchObject({ followingCount: 0, followersCount: 1 });
  });

  it('unfollows once: one follow.removed event, counters back, a repeat changes nothing', async () => {
    const [ann, bob] = await aUser().createMany(2);
    await follows.follow(ann!.id, bob!.id);
    await follows.unfollow(ann!.id, bob!.id);
    await follows.unfollow(ann!.id, bob!.id);

    expect((await services.get(FollowsRepository).state(ann!.id, bob!.id)).following).toBe(false);
    expect((await eventsOf(ann!, bob!)).map((e) => e.type)).toEqual(['follow.created', 'follow.removed']);
    expect(await userRow(ann!)).toMatchObject({ followingCount: 0 });
    expect(await userRow(bob!)).toMatchObject({ followersCount: 0 });
  });

  it('refuses a self-follow and an unknown followee, writing nothing', async () => {
    const ann = await aUser().create();
    await expect(follows.follow(ann.id, ann.id)).rejects.toMatchObject({ status: 400, code: 'SELF_FOLLOW' });
    await expect(follows.follow(ann.id, '987654321')).rejects.toMatchObject({ status: 404, code: 'NOT_FOUND' });
    await expect(follows.unfollow(ann.id, '987654321')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await userRow(ann)).toMatchObject({ followingCount: 0 });
  });

  it('keeps the counters right when both follow each other at once', async () => {
    const [ann, bob] = await aUser().createMany(2);
    await Promise.all([follows.follow(ann!.id, bob!.id), follows.follow(bob!.id, ann!.id)]);
    expect(await userRow(ann!)).toMatchObject({ followingCount: 1, followersCount: 1 });
    expect(await userRow(bob!)).toMatchObject({ followingCount: 1, followersCount: 1 });
  });
});
