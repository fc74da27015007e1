import { setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, type CreatedUserResponse, RedisKeys, STRATEGIES, type Strategy } from '#libs/contract';
import {
  inParallel,
  jobLines,
  minus,
  plus,
  msUntil,
  snapshotsAfter,
  startDeployment,
  workOf,
  type Deployment,
  type Work,
} from '../support/deployment.js';
import { envOf, testConfig, uniqueHandle } from '../support/test-config.js';

// Issue 10, item 3: two API processes and three workers of one deployment. A generated history is driven through both
// APIs; flags changed through one process are in force on the others within a second; posts to 150 followers,
// cut into many batch jobs, are counted mailbox write by mailbox write; every worker takes part; and at
// the end every user's timeline is the same under push, hybrid and pull, and is the one the history defines.

const SEED = 10;
const ACTIVE = 7; // users[0] is the star, 1..6 act in the history
const PASSIVE = 150; // follow only the star, so each of its posts is one batch job per FANOUT_BATCH_SIZE followers
const config = testConfig();
const env = envOf(config, {
  TIMELINE_STRATEGY: 'hybrid',
  CELEBRITY_THRESHOLD: '1000',
  MAILBOX_SIZE: '20',
  FANOUT_BATCH_SIZE: '25',
  METRICS_PUBLISH_MS: '100',
});
const keys = new RedisKeys(config.redisPrefix, config.redisShards);
let deployment: Deployment;
let apis: ApiClient[];
let users: CreatedUserResponse[];
const redis = new Redis(config.redisUrl);

/** The history as the specification of every timeline: own posts and followees' posts, newest first. */
const follows = new Set<string>();
const posts: { id: string; author: number; deleted: boolean }[] = [];
const followersOf = (u: number) => users.filter((_, f) => follows.has(`${f}>${u}`)).length;
const expectedTimeline = (reader: number) =>
  posts
    .filter((p) => !p.deleted && (p.author === reader || follows.has(`${reader}>${p.author}`)))
    .map((p) => p.id)
    .sort((a, b) => (BigInt(a) < BigInt(b) ? 1 : -1));

beforeAll(async () => {
  deployment = await startDeployment(env, {
    apis: 2,
    workers: 3,
    workerEnv: { LOG_LEVEL: 'log', LOG_FORMAT: 'json' },
  });
  apis = deployment.apis;
  users = await inParallel(Array.from({ length: ACTIVE + PASSIVE }), 8, (_, i) =>
    apis[i % 2]!.createUser(uniqueHandle('many')),
  );
  await inParallel(users.slice(ACTIVE), 8, async (u, i) => {
    expect((await apis[i % 2]!.call('PUT', `/v1/me/following/${users[0]!.id}`, { token: u.token })).status).toBe(204);
    follows.add(`${ACTIVE + i}>0`);
  });
}, 240_000);
afterAll(async () => {
  redis.disconnect();
  await deployment?.stop();
});

/** Reads every user's timeline once (a mailbox that cannot be trusted is rebuilt on read), then drains. */
async function settle() {
  await apis[0]!.waitIdle();
  await inParallel(users, 8, (u, i) => apis[i % 2]!.call('GET', '/v1/me/timeline', { token: u.token }));
  await apis[0]!.waitIdle();
}

async function patch(via: number, body: Record<string, unknown>) {
  const r = await apis[via]!.call('PATCH', '/v1/admin/config', { token: config.adminToken, body });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body as { version: number; strategy: Strategy; celebrityThreshold: number };
}

describe('two API processes and three workers on one deployment', () => {
  it('a flag changed through one API is in force on the other within a second', async () => {
    const reader = users[1]!.token;
    for (const [via, other, strategy, celebrityThreshold] of [
      [0, 1, 'push', 100],
      [1, 0, 'hybrid', 1000],
    ] as const) {
      const changed = await patch(via, { strategy, celebrityThreshold });
      // Timed from the answer to the PATCH: by then the change is committed and announced.
      const configMs = await msUntil(async () => (await apis[other]!.config()).version >= changed.version);
      // A read without ?strategy= runs under the process's current flags.
      const readMs = await msUntil(
        async () => (await apis[other]!.call('GET', '/v1/me/timeline', { token: reader })).body.strategy === strategy,
      );
      expect(configMs, `config on API ${other + 1}`).toBeLessThan(1000);
      expect(readMs, `timeline read on API ${other + 1}`).toBeLessThan(1000);
      expect(await apis[other]!.config()).toMatchObject({ strategy, celebrityThreshold, version: changed.version });
    }
  });

  it('drives a generated history through both APIs', async () => {
    // Kinds repeated by weight; `a` and `b` pick users, posts, strategies and thresholds, `via` the API.
    const kinds = 'follow follow unfollow unfollow post post post post post post delete strategy threshold read';
    const op = fc.record({ kind: fc.constantFrom(...kinds.split(' ')), a: fc.nat(), b: fc.nat(), via: fc.nat(1) });
    const [ops] = fc.sample(fc.array(op, { minLength: 60, maxLength: 60 }), { seed: SEED, numRuns: 1 });
    for (const { kind, a, b, via } of ops!) {
      const api = apis[via]!;
      const [actor, other, strategy] = [users[1 + (a % (ACTIVE - 1))]!, b % ACTIVE, STRATEGIES[a % 3]!];
      if (kind === 'follow' || kind === 'unfollow') {
        const from = 1 + (a % (ACTIVE - 1));
        const r = await api.call(kind === 'follow' ? 'PUT' : 'DELETE', `/v1/me/following/${users[other]!.id}`, {
          token: actor.token,
        });
        expect(r.status).toBe(from === other ? 400 : 204);
        if (from !== other) follows[kind === 'follow' ? 'add' : 'delete'](`${from}>${other}`);
      } else if (kind === 'post') {
        const id = (await api.post(users[other]!.token, `post ${posts.length}`)).id;
        posts.push({ id, author: other, deleted: false });
      } else if (kind === 'delete' && posts.length > 0) {
        const post = posts[a % posts.length]!;
        const r = await api.call('DELETE', `/v1/posts/${post.id}`, { token: users[post.author]!.token });
        expect(r.status).toBe(204); // a second delete of one's own post is a no-op
        post.deleted = true;
      } else if (kind === 'strategy') await patch(via, { strategy });
      // Around the star's follower count: the star (and, at 2, active users) enter and leave pull mode.
      else if (kind === 'threshold') await patch(via, { celebrityThreshold: [2, 100, 1000][a % 3] });
      else if (kind === 'read') expect((await api.timeline(users[other]!.token, strategy, 20)).strategy).toBe(strategy);
    }
    expect(posts.filter((p) => p.author === 0).length, 'the star posted in the history').toBeGreaterThan(0);
    await apis[1]!.waitIdle({ timeoutMs: 60_000 });
  });

  it('fans each post out exactly once, over every worker, with the batch size changed at run time', async () => {
    await patch(0, { strategy: 'push', celebrityThreshold: 1_000_000 });
    await settle();
    // A delivery writes only into built mailboxes (RPUSHX): with every one built, a post's writes are exactly its
    // followers plus its author, and anything more is a second delivery.
    const owners = users.filter((_, u) => u === 0 || follows.has(`${u}>0`));
    const built = await Promise.all(owners.map((u) => redis.exists(keys.mailbox(u.id))));
    expect(built.filter((b) => b === 1).length).toBe(owners.length);
    const followers = followersOf(0);
    expect((await apis[1]!.call('GET', `/v1/users/${users[0]!.id}`)).body.followersCount).toBe(followers);

    // Changed through API 2; after a second every worker must cut the star's followers at the new size.
    const changedAt = Date.now();
    await patch(1, { fanoutBatchSize: 10 });
    await apis[0]!.waitIdle();
    await sleep(Math.max(0, 1000 - (Date.now() - changedAt)));

    const pids = deployment.workers.map((w) => w.child.pid!);
    let before = await snapshotsAfter(apis[0]!, pids, Date.now());
    const total = new Map<number, Work>(pids.map((pid) => [pid, workOf(undefined)]));
    // The worker that plans a post is the queue's choice: post until each of the three has planned one (a few posts
    // as a rule; 30 makes missing one by chance unlikely even when the queue favours some workers).
    for (let i = 0; i < 30 && (i < 4 || [...total.values()].some((w) => w.plans === 0)); i++) {
      posts.push({ id: (await apis[i % 2]!.post(users[0]!.token, `counted ${i}`)).id, author: 0, deleted: false });
      await apis[0]!.waitIdle();
      const after = await snapshotsAfter(apis[0]!, pids, Date.now());
      const work = pids.map((pid) => minus(workOf(after.get(pid)), workOf(before.get(pid))));
      const sum = (key: keyof Work) => work.reduce((n, w) => n + w[key], 0);
      expect(sum('plans'), `post ${i}: planned once`).toBe(1);
      expect(sum('batches'), `post ${i}: batches of 10`).toBe(Math.floor(followers / 10) + 1);
      expect(sum('writes'), `post ${i}: mailbox writes`).toBe(followers + 1);
      pids.forEach((pid, w) => total.set(pid, plus(total.get(pid)!, work[w]!)));
      before = after;
    }
    for (const [w, pid] of pids.entries()) {
      const { plans, batches, writes } = total.get(pid)!;
      expect(
        Math.min(plans, batches, writes),
        `worker ${w + 1} (pid ${pid}): ${plans} ${batches} ${writes}`,
      ).toBeGreaterThan(0);
    }

    // The workers' own account: every deliver batch of the run was done once, at its first attempt, and each worker
    // finished jobs of its own.
    const lines = deployment.workerLogs.map(jobLines);
    for (const [w, own] of lines.entries()) expect(own.length, `jobs done by worker ${w + 1}`).toBeGreaterThan(0);
    const batches = lines.flat().filter((l) => l.job === 'deliver-batch');
    expect(batches.filter((l) => l.attempt !== 1)).toEqual([]);
    expect(new Set(batches.map((l) => l.jobId)).size).toBe(batches.length);
  });

  it('ends with every timeline the same under push, hybrid and pull, and the one the history defines', async () => {
    // Hybrid with the star over the threshold: its next post puts it in pull mode, and its posts then reach readers
    // through the read-time merge.
    await patch(1, { strategy: 'hybrid', celebrityThreshold: 100 });
    posts.push({ id: (await apis[0]!.post(users[0]!.token, 'celebrity')).id, author: 0, deleted: false });
    await settle();
    expect((await apis[1]!.config()).pullModeAuthors).toBeGreaterThan(0);
    const mismatches = await inParallel(users, 8, async (u, index) => {
      const expected = expectedTimeline(index);
      const found: string[] = [];
      for (const strategy of ['pull', 'push', 'hybrid'] as const) {
        const { ids, source } = await allPages(apis[index % 2]!, u.token, strategy);
        if (JSON.stringify(ids) !== JSON.stringify(expected))
          found.push(`user ${index} under ${strategy}: ${ids.length} posts, ${expected.length} expected`);
        if (strategy !== 'pull' && source !== 'mailbox') found.push(`user ${index} under ${strategy}: ${source}`);
      }
      return found;
    });
    expect(mismatches.flat()).toEqual([]);
  });
});

/** Every page of a timeline as post ids, and where its first page came from. */
async function allPages(api: ApiClient, token: string, strategy: Strategy) {
  const ids: string[] = [];
  let source = '';
  let cursor: string | null = null;
  for (let page = 0; page === 0 || cursor; page++) {
    if (page > 50) throw new Error('more than 50 pages: the cursor does not advance');
    const query: string = `?strategy=${strategy}&limit=25${cursor ? `&cursor=${cursor}` : ''}`;
    const r = await api.call('GET', `/v1/me/timeline${query}`, { token });
    expect(r.status).toBe(200);
    ids.push(...r.body.items.map((item: { id: string }) => item.id));
    source ||= r.body.source;
    cursor = r.body.nextCursor;
  }
  return { ids, source };
}
