import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashedPart, slotOf } from '#libs/contract';
import { FanoutModule } from '#libs/fanout';
import { FlagsService } from '#libs/flags';
import { MetricsService, MetricsStore } from '#libs/metrics';
import { PostsModule, PostsService } from '#libs/posts';
import { FollowsService, SocialModule } from '#libs/social';
import { TimelineModule, TimelineService } from '#libs/timeline';
import { aUser, follow, useFlags, type TestUser } from '../../test/factories/index.js';
import { FanoutHarness } from '../../test/support/fanout.harness.js';
import { startServices, type Services } from '../../test/support/services.harness.js';
import { RedisService } from './redis.service.js';

// Redis Cluster refuses a command or script whose keys lie in two slots. This runs a small history through the real
// services (posts, follows, unfollows, deletes, fan-out in batches, rebuilds, celebrities in pull mode, demotion,
// reads under every strategy, metrics, flags) while recording every command the process's Redis connection sends,
// and checks that each one's keys (and the key prefixes a script builds keys from) map to a single slot.

let services: Services;
let fanout: FanoutHarness;
const sent: { name: string; args: unknown[] }[] = [];

beforeAll(async () => {
  services = await startServices([FanoutModule, TimelineModule, PostsModule, SocialModule]);
  fanout = new FanoutHarness(services);
  const client = services.get(RedisService).client;
  const send = client.sendCommand.bind(client);
  client.sendCommand = ((command: { name: string; args: unknown[] }, ...rest: unknown[]) => {
    sent.push({ name: command.name, args: [...command.args] });
    return (send as (...a: unknown[]) => unknown)(command, ...rest);
  }) as typeof client.sendCommand;
});
afterAll(async () => {
  await fanout?.close();
  await services?.close();
});

/** The arguments that name this deployment's keys (or a prefix a script completes with a user id). */
function keysOf(args: unknown[], prefix: string): string[] {
  return args.filter((a): a is string => typeof a === 'string' && a.startsWith(`${prefix}:`));
}

async function history(): Promise<TestUser[]> {
  await useFlags({ strategy: 'hybrid', celebrityThreshold: 4, mailboxSize: 50, fanoutBatchSize: 10 });
  const users = await aUser().createMany(14);
  const [celebrity, author, ...readers] = users as [TestUser, TestUser, ...TestUser[]];
  for (const reader of readers) await follow(reader).ofAll([celebrity, author]);
  await services.get(FlagsService).refresh();
  await fanout.run('rebuild-all', { requestedAt: Date.now() });
  await fanout.drainThroughRouter();
  const posts = services.get(PostsService);
  const follows = services.get(FollowsService);
  for (let i = 0; i < 3; i++) {
    await posts.create(celebrity.id, `celebrity ${i}`);
    await posts.create(author.id, `author ${i}`);
  }
  const gone = await posts.create(author.id, 'to be deleted');
  await posts.delete(author.id, gone.id);
  await follows.unfollow(readers[0]!.id, author.id);
  await follows.follow(readers[0]!.id, author.id);
  await fanout.drainThroughRouter();
  // Demotion: the celebrity is fanned out again once the threshold is above their followers.
  await services.get(FlagsService).update({ celebrityThreshold: 1000 });
  await fanout.drainThroughRouter();
  await posts.create(celebrity.id, 'after demotion');
  await fanout.drainThroughRouter();
  return users;
}

describe('every Redis command of the product', () => {
  it('touches keys of one slot only', async () => {
    const users = await history();
    const timeline = services.get(TimelineService);
    for (const user of users) {
      for (const strategy of ['push', 'hybrid', 'pull'] as const) await timeline.read(user.id, strategy, undefined, 5);
    }
    const metrics = services.get(MetricsStore);
    await metrics.publish(services.get(MetricsService).snapshot());
    await metrics.recent(60_000);

    const prefix = services.config.redisPrefix;
    const spanning = sent
      .map((c) => ({ name: c.name, keys: keysOf(c.args, prefix) }))
      .filter((c) => new Set(c.keys.map((k) => slotOf(k))).size > 1);
    expect(spanning).toEqual([]);
    // Not vacuous: the scripts and multi-key reads were exercised, each with keys of this deployment.
    const named = sent.filter((c) => keysOf(c.args, prefix).length > 0);
    expect(named.filter((c) => c.name === 'evalsha' || c.name === 'eval').length).toBeGreaterThan(50);
    expect(named.some((c) => c.name === 'mget')).toBe(true);
    expect(new Set(named.flatMap((c) => keysOf(c.args, prefix).map(hashedPart))).size).toBeGreaterThan(5);
  });
});
