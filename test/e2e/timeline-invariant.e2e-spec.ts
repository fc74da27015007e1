import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, STRATEGIES, type Strategy } from '#libs/contract';
import { freePort, startStack } from '../support/processes.js';
import { ADMIN_TOKEN, envOf, testConfig, uniqueHandle } from '../support/test-config.js';

type Op =
  | { kind: 'follow' | 'unfollow'; from: number; to: number }
  | { kind: 'post'; author: number }
  | { kind: 'delete'; nth: number }
  | { kind: 'strategy'; strategy: Strategy }
  | { kind: 'threshold'; value: number }
  | { kind: 'read'; reader: number; strategy: Strategy };

const USERS = 6;
const user = fc.integer({ min: 0, max: USERS - 1 });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('follow' as const), from: user, to: user }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('unfollow' as const), from: user, to: user }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('post' as const), author: user }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), nth: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('strategy' as const), strategy: fc.constantFrom(...STRATEGIES) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('threshold' as const), value: fc.integer({ min: 1, max: 5 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('read' as const),
      reader: user,
      strategy: fc.constantFrom(...STRATEGIES),
    }),
  },
);

/** The history itself, as the specification of every timeline: own posts and followees' posts, newest first. */
class Model {
  follows = new Set<string>();
  posts: { id: string; author: number; deleted: boolean }[] = [];

  timeline(reader: number): string[] {
    return this.posts
      .filter((p) => !p.deleted && (p.author === reader || this.follows.has(`${reader}>${p.author}`)))
      .map((p) => p.id)
      .sort((a, b) => (BigInt(a) < BigInt(b) ? 1 : -1));
  }
}

const config = testConfig({ CELEBRITY_THRESHOLD: '3', MAILBOX_SIZE: '12', FANOUT_BATCH_SIZE: '10' });
const api = new ApiClient(`http://127.0.0.1:${await freePort()}`, ADMIN_TOKEN);
let stack: Awaited<ReturnType<typeof startStack>>;

beforeAll(async () => {
  stack = await startStack(
    envOf(config, { CELEBRITY_THRESHOLD: '3', MAILBOX_SIZE: '12', FANOUT_BATCH_SIZE: '10' }),
    Number(new URL(api.baseUrl).port),
  );
});
afterAll(async () => stack?.stop());

async function admin(patch: Record<string, unknown>) {
  const response = await api.call('PATCH', '/v1/admin/config', { token: ADMIN_TOKEN, body: patch });
  expect(response.status).toBe(200);
}

/** Every page of a timeline, by cursor, as post ids; and where each page came from. */
async function fullTimeline(token: string, strategy: Strategy) {
  const ids: string[] = [];
  const sources = new Set<string>();
  let cursor: string | null = null;
  do {
    const query: string = `?strategy=${strategy}&limit=5${cursor ? `&cursor=${cursor}` : ''}`;
    const response = await api.call('GET', `/v1/me/timeline${query}`, { token });
    expect(response.status).toBe(200);
    ids.push(...response.body.items.map((item: { id: string }) => item.id));
    sources.add(response.body.source);
    cursor = response.body.nextCursor;
  } while (cursor);
  return { ids, sources };
}

async function run(ops: Op[]) {
  const users = await Promise.all(Array.from({ length: USERS }, () => api.createUser(uniqueHandle('inv'))));
  const model = new Model();
  for (const o of ops) {
    switch (o.kind) {
      case 'follow':
      case 'unfollow': {
        const r = await api.call(o.kind === 'follow' ? 'PUT' : 'DELETE', `/v1/me/following/${users[o.to]!.id}`, {
          token: users[o.from]!.token,
        });
        expect(r.status).toBe(o.from === o.to ? 400 : 204);
        if (o.from !== o.to) model.follows[o.kind === 'follow' ? 'add' : 'delete'](`${o.from}>${o.to}`);
        break;
      }
      case 'post': {
        const r = await api.call('POST', '/v1/posts', {
          token: users[o.author]!.token,
          body: { body: `post ${model.posts.length}` },
        });
        expect(r.status).toBe(201);
        model.posts.push({ id: r.body.id, author: o.author, deleted: false });
        break;
      }
      case 'delete': {
        const post = model.posts[o.nth % Math.max(1, model.posts.length)];
        if (!post) break;
        const r = await api.call('DELETE', `/v1/posts/${post.id}`, { token: users[post.author]!.token });
        expect(r.status).toBe(204);
        post.deleted = true;
        break;
      }
      case 'strategy':
        await admin({ strategy: o.strategy });
        break;
      case 'threshold':
        await admin({ celebrityThreshold: o.value });
        break;
      case 'read':
        expect(
          (await api.call('GET', `/v1/me/timeline?strategy=${o.strategy}`, { token: users[o.reader]!.token })).status,
        ).toBe(200);
        break;
    }
  }
  await checkAll(users, model, 'as the history left it', false);
  // Hybrid with a low threshold: mailboxes are made whole first, then everyone posts, so celebrities' new posts
  // are only reachable through the read-time merge.
  await admin({ strategy: 'hybrid', celebrityThreshold: 2 });
  await settle(users);
  for (const [index, u] of users.entries()) {
    const r = await api.call('POST', '/v1/posts', { token: u.token, body: { body: `late post of ${index}` } });
    model.posts.push({ id: r.body.id, author: index, deleted: false });
  }
  await api.waitIdle();
  await checkAll(users, model, 'hybrid', true);
  // Push: every celebrity is demoted, and their posts must now be in every follower's mailbox.
  await admin({ strategy: 'push' });
  await api.waitIdle();
  await checkAll(users, model, 'push', true);
  const { body: flags } = await api.call('GET', '/v1/admin/config', { token: ADMIN_TOKEN });
  expect(flags.pullModeAuthors).toBe(0);
}

/** Lets mailboxes that missed posts (an epoch change) be rebuilt by a read, then drains again. */
async function settle(users: { token: string }[]) {
  await api.waitIdle();
  for (const u of users) await api.call('GET', '/v1/me/timeline', { token: u.token });
  await api.waitIdle();
}

async function checkAll(users: { token: string }[], model: Model, global: string, fromMailbox: boolean) {
  await settle(users);
  for (const [index, u] of users.entries()) {
    const expected = model.timeline(index);
    for (const strategy of STRATEGIES) {
      const { ids, sources } = await fullTimeline(u.token, strategy);
      expect(ids, `user ${index} under ${strategy} (global ${global})`).toEqual(expected);
      if (fromMailbox && strategy !== 'pull')
        expect([...sources], `user ${index} under ${strategy}`).toEqual(['mailbox']);
    }
  }
}

describe('the timeline invariant, end to end over HTTP with the real API and worker', () => {
  it('after the queue drains, push, pull and hybrid all return the timeline the history defines', async () => {
    const posts = (author: number, n: number): Op[] => Array.from({ length: n }, () => ({ kind: 'post', author }));
    // Found by review: following an author with more posts than the mailbox holds; a quick unfollow/follow flip.
    const examples: [Op[]][] = [
      [[{ kind: 'read', reader: 0, strategy: 'hybrid' }, ...posts(1, 16), { kind: 'follow', from: 0, to: 1 }]],
      [
        [
          { kind: 'read', reader: 0, strategy: 'push' },
          ...posts(2, 3),
          { kind: 'follow', from: 0, to: 2 },
          { kind: 'unfollow', from: 0, to: 2 },
          { kind: 'follow', from: 0, to: 2 },
          { kind: 'unfollow', from: 0, to: 2 },
          { kind: 'follow', from: 0, to: 2 },
        ],
      ],
    ];
    await fc.assert(fc.asyncProperty(fc.array(op, { minLength: 5, maxLength: 45 }), run), {
      examples,
      numRuns: Number(process.env.INVARIANT_RUNS ?? 12),
      endOnFailure: true,
    });
  });
});
