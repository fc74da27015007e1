#!/usr/bin/env node
// A scripted client for a running stack: builds a random social graph through the API (some accounts above the
// celebrity threshold), posts, unfollows, deletes, and switches strategy and threshold at run time; waits until
// GET /v1/admin/fanout shows nothing pending; then checks every user's first timeline pages under push, pull and
// hybrid against each other and against the history it made. Exit code 0 when all match.
//
//   node scripts/verify-timelines.mjs --url http://127.0.0.1:3000 --admin-token local-admin-token --users 300
import { parseArgs } from 'node:util';

const USAGE = `Checks a running stack's timelines against a history this client makes (it changes the flags while it runs).

  node scripts/verify-timelines.mjs [--url URL] [--admin-token T] [--users N] [--seed N] [--pages N]

  --url URL          the API (http://127.0.0.1:3000)
  --admin-token T    the stack's ADMIN_TOKEN ($ADMIN_TOKEN or local-admin-token)
  --users N          accounts to create (300)
  --seed N           seed of the random history (the clock)
  --pages N          timeline pages compared per user and strategy (2)
`;

let opts;
try {
  ({ values: opts } = parseArgs({
    options: {
      url: { type: 'string', default: 'http://127.0.0.1:3000' },
      'admin-token': { type: 'string', default: process.env.ADMIN_TOKEN ?? 'local-admin-token' },
      users: { type: 'string', default: '300' },
      seed: { type: 'string', default: String(Date.now() % 1e9) },
      pages: { type: 'string', default: '2' },
      help: { type: 'boolean', default: false },
    },
  }));
} catch (error) {
  process.stderr.write(`verify-timelines: ${error.message}\n\n${USAGE}`);
  process.exit(2);
}
if (opts.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const base = opts.url.replace(/\/$/, '');
const adminToken = opts['admin-token'];
const USERS = Number(opts.users);
const PAGES = Number(opts.pages);
let state = Number(opts.seed) >>> 0 || 1;
const random = () => (state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32;
const pick = (n) => Math.floor(random() * n);

async function call(method, path, { token, body } = {}) {
  const headers = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response;
  // The API limits requests per client (429 RATE_LIMITED with Retry-After); this client is one, and waits its turn.
  for (;;) {
    response = await fetch(base + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status !== 429) break;
    await response.text();
    await new Promise((resolve) => setTimeout(resolve, 1000 * Number(response.headers.get('retry-after') ?? 1)));
  }
  const text = await response.text();
  const parsed = text ? JSON.parse(text) : undefined;
  if (response.status >= 500) throw new Error(`${method} ${path} -> ${response.status} ${text}`);
  return { status: response.status, body: parsed };
}
async function expectStatus(promise, status, what) {
  const response = await promise;
  if (response.status !== status)
    throw new Error(`${what}: expected ${status}, got ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}
const admin = (patch) =>
  expectStatus(
    call('PATCH', '/v1/admin/config', { token: adminToken, body: patch }),
    200,
    `PATCH config ${JSON.stringify(patch)}`,
  );
async function waitIdle() {
  for (const deadline = Date.now() + 180_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
    const { body } = await call('GET', '/v1/admin/fanout', { token: adminToken });
    if (body.pending === 0 && body.idle) return body;
  }
  throw new Error('fan-out did not drain in 3 minutes');
}
async function pool(items, size, fn) {
  let next = 0;
  await Promise.all(
    Array.from({ length: size }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

const run = `v${Number(opts.seed).toString(36)}${Date.now().toString(36)}`.slice(0, 12);
const started = Date.now();
const { body: before } = await call('GET', '/v1/admin/config', { token: adminToken });
const threshold = Math.max(5, Math.round(USERS / 20));
await admin({ strategy: 'hybrid', celebrityThreshold: threshold });

const users = [];
await pool([...Array(USERS).keys()], 16, async (i) => {
  users[i] = await expectStatus(call('POST', '/v1/users', { body: { handle: `${run}_${i}` } }), 201, 'create user');
});
const follows = new Set();
const posts = [];
const follow = async (a, b) => {
  if (a === b) return;
  await expectStatus(call('PUT', `/v1/me/following/${users[b].id}`, { token: users[a].token }), 204, 'follow');
  follows.add(`${a}>${b}`);
};
// Popularity is skewed: a handful of accounts get most follows, so some pass the celebrity threshold.
const popular = () => (random() < 0.3 ? pick(Math.max(3, USERS / 50)) : pick(USERS));
const followPairs = Array.from({ length: USERS * 5 }, () => [pick(USERS), popular()]);
await pool(followPairs, 16, ([a, b]) => follow(a, b));
const post = async (author, text) => {
  const body = await expectStatus(
    call('POST', '/v1/posts', { token: users[author].token, body: { body: text } }),
    201,
    'post',
  );
  posts.push({ id: body.id, author, deleted: false });
};
const phases = [
  () => admin({ strategy: 'push' }),
  () => admin({ celebrityThreshold: Math.max(2, Math.round(threshold / 2)) }),
  () => admin({ strategy: 'pull' }),
  () => admin({ strategy: 'hybrid', celebrityThreshold: threshold * 2 }),
  () => admin({ strategy: 'hybrid', celebrityThreshold: threshold }),
];
for (const phase of phases) {
  await pool(
    Array.from({ length: USERS }, (_, i) => i),
    16,
    (i) => post(random() < 0.5 ? popular() : i, `post ${posts.length}`),
  );
  const unfollows = [...follows].filter(() => random() < 0.03);
  await pool(unfollows, 8, async (edge) => {
    const [a, b] = edge.split('>').map(Number);
    await expectStatus(call('DELETE', `/v1/me/following/${users[b].id}`, { token: users[a].token }), 204, 'unfollow');
    follows.delete(edge);
  });
  const victims = posts.filter((p) => !p.deleted && random() < 0.03);
  await pool(victims, 8, async (p) => {
    await expectStatus(call('DELETE', `/v1/posts/${p.id}`, { token: users[p.author].token }), 204, 'delete');
    p.deleted = true;
  });
  await phase();
}
const status = await waitIdle();

const expectedOf = (reader) =>
  posts
    .filter((p) => !p.deleted && (p.author === reader || follows.has(`${reader}>${p.author}`)))
    .map((p) => p.id)
    .sort((a, b) => (BigInt(a) < BigInt(b) ? 1 : -1));
let checked = 0;
const mismatches = [];
const sources = {};
const readPages = async (i, strategy) => {
  const ids = [];
  let cursor = null;
  for (let page = 0; page < PAGES; page++) {
    const body = await expectStatus(
      call('GET', `/v1/me/timeline?limit=20&strategy=${strategy}${cursor ? `&cursor=${cursor}` : ''}`, {
        token: users[i].token,
      }),
      200,
      'timeline',
    );
    ids.push(...body.items.map((item) => item.id));
    sources[`${strategy}/${body.source}`] = (sources[`${strategy}/${body.source}`] ?? 0) + 1;
    if (!(cursor = body.nextCursor)) break;
  }
  return ids;
};
// First pass lets mailboxes of the last epoch change be rebuilt (reads serve PostgreSQL meanwhile).
await pool([...Array(USERS).keys()], 16, (i) => readPages(i, 'hybrid'));
await waitIdle();
await pool([...Array(USERS).keys()], 16, async (i) => {
  const expected = expectedOf(i).slice(0, PAGES * 20);
  for (const strategy of ['push', 'pull', 'hybrid']) {
    const got = await readPages(i, strategy);
    checked++;
    if (JSON.stringify(got) !== JSON.stringify(expected))
      mismatches.push({ user: i, strategy, got: got.length, expected: expected.length });
  }
});
await admin({ strategy: before.strategy, celebrityThreshold: before.celebrityThreshold });
const { body: finalFlags } = await call('GET', '/v1/admin/config', { token: adminToken });
const celebrities = users.filter((_, b) => [...follows].filter((e) => e.endsWith(`>${b}`)).length >= threshold).length;
console.log(
  JSON.stringify({
    seed: opts.seed,
    users: USERS,
    follows: follows.size,
    posts: posts.length,
    deleted: posts.filter((p) => p.deleted).length,
    celebrities,
    threshold,
    fanout: { accepted: status.accepted, delivered: status.delivered, failed: status.failed },
    checked,
    mismatches: mismatches.length,
    sources,
    pullModeAuthors: finalFlags.pullModeAuthors,
    seconds: (Date.now() - started) / 1000,
  }),
);
if (mismatches.length) {
  console.error('MISMATCHES', JSON.stringify(mismatches.slice(0, 10)));
  process.exit(1);
}
