import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiClient,
  type ApiResponse,
  decodeHistogram,
  ErrorResponse,
  type MetricsView,
  type ProcessSnapshot,
  type Service,
  startProduct,
} from '#libs/contract';
import { API_ROUTES } from '../../apps/api/src/api.routes.js';
import type { HttpMethod } from '../../apps/api/src/openapi.routes.js';
import { freePort, startStack } from '../support/processes.js';
import { ADMIN_TOKEN, envOf, testConfig, uniqueHandle } from '../support/test-config.js';

const config = testConfig();
const port = await freePort();
const api = new ApiClient(`http://127.0.0.1:${port}`, ADMIN_TOKEN);
let stack: Awaited<ReturnType<typeof startStack>>;

beforeAll(async () => {
  stack = await startStack(envOf(config), port);
});
afterAll(async () => stack?.stop());

function expectError(response: ApiResponse, status: number, code: string) {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(response.body).toEqual({ statusCode: status, code, message: expect.any(String) });
  expect(ErrorResponse.safeParse(response.body).success).toBe(true);
  expect(JSON.stringify(response.body)).not.toMatch(/at .*\.(js|ts):\d+/);
}

describe('users and auth', () => {
  it('creates a user once per handle and returns the token once', async () => {
    const handle = uniqueHandle('c');
    const created = await api.call('POST', '/v1/users', { body: { handle, displayName: 'Cat' } });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^\d+$/),
      handle,
      displayName: 'Cat',
      token: expect.any(String),
    });
    expectError(await api.call('POST', '/v1/users', { body: { handle } }), 409, 'CONFLICT');
    const me = await api.call('GET', '/v1/me', { token: created.body.token });
    expect(me.body).toMatchObject({ id: created.body.id, handle, followersCount: 0, postsCount: 0, celebrity: false });
    expect(me.body).not.toHaveProperty('token');
  });

  it('rejects malformed user bodies with VALIDATION_FAILED', async () => {
    for (const body of [
      {},
      { handle: 'Has Space' },
      { handle: 'x'.repeat(31) },
      { handle: 'ok_1', extra: 1 },
      { handle: 5 },
    ]) {
      expectError(await api.call('POST', '/v1/users', { body }), 400, 'VALIDATION_FAILED');
    }
    expectError(await api.call('POST', '/v1/users', { raw: '{"handle":' }), 400, 'VALIDATION_FAILED');
  });

  it('answers 401 without a valid token and never lets a user act as someone else', async () => {
    expectError(await api.call('GET', '/v1/me'), 401, 'UNAUTHORIZED');
    expectError(await api.call('GET', '/v1/me', { token: 'flt_not-a-token' }), 401, 'UNAUTHORIZED');
    expectError(await api.call('POST', '/v1/posts', { body: { body: 'hi' } }), 401, 'UNAUTHORIZED');
    const alice = await api.createUser(uniqueHandle('a'));
    const bob = await api.createUser(uniqueHandle('b'));
    const post = await api.call('POST', '/v1/posts', { token: bob.token, body: { body: 'mine' } });
    expectError(await api.call('DELETE', `/v1/posts/${post.body.id}`, { token: alice.token }), 403, 'FORBIDDEN');
    expect((await api.call('GET', `/v1/posts/${post.body.id}`)).status).toBe(200);
  });

  it('gives 400 for malformed ids and 404 for unknown ones', async () => {
    const alice = await api.createUser(uniqueHandle('a'));
    expectError(await api.call('GET', '/v1/users/abc'), 400, 'VALIDATION_FAILED');
    expectError(await api.call('GET', '/v1/users/99999999999'), 404, 'NOT_FOUND');
    expectError(await api.call('GET', '/v1/posts/-1'), 400, 'VALIDATION_FAILED');
    expectError(await api.call('GET', '/v1/posts/12345'), 404, 'NOT_FOUND');
    expectError(await api.call('DELETE', '/v1/posts/12345', { token: alice.token }), 404, 'NOT_FOUND');
    expectError(await api.call('PUT', '/v1/me/following/99999999999', { token: alice.token }), 404, 'NOT_FOUND');
    expectError(await api.call('GET', '/v1/no/such/route'), 404, 'NOT_FOUND');
  });
});

describe('follows', () => {
  it('are idempotent, refuse self-follows and keep counters right', async () => {
    const alice = await api.createUser(uniqueHandle('a'));
    const bob = await api.createUser(uniqueHandle('b'));
    for (let i = 0; i < 2; i++)
      expect((await api.call('PUT', `/v1/me/following/${bob.id}`, { token: alice.token })).status).toBe(204);
    expectError(await api.call('PUT', `/v1/me/following/${alice.id}`, { token: alice.token }), 400, 'SELF_FOLLOW');
    expect((await api.call('GET', `/v1/users/${bob.id}`)).body.followersCount).toBe(1);
    expect((await api.call('GET', `/v1/users/${alice.id}`)).body.followingCount).toBe(1);
    for (let i = 0; i < 2; i++)
      expect((await api.call('DELETE', `/v1/me/following/${bob.id}`, { token: alice.token })).status).toBe(204);
    expect((await api.call('GET', `/v1/users/${bob.id}`)).body.followersCount).toBe(0);
  });

  it('list followers page by page, newest first, without gaps or repeats', async () => {
    const star = await api.createUser(uniqueHandle('s'));
    const fans = [];
    for (let i = 0; i < 7; i++) {
      const fan = await api.createUser(uniqueHandle('f'));
      await api.call('PUT', `/v1/me/following/${star.id}`, { token: fan.token });
      fans.push(fan.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: ApiResponse = await api.call(
        'GET',
        `/v1/users/${star.id}/followers?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((u: { id: string }) => u.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...fans].reverse());
    const following = await api.call('GET', `/v1/users/${fans[0]}/following`);
    expect(following.body.items.map((u: { id: string }) => u.id)).toEqual([star.id]);
  });
});

describe('posts', () => {
  it('counts Unicode code points: 280 emoji are fine, 281 characters are POST_TOO_LONG and change nothing', async () => {
    const alice = await api.createUser(uniqueHandle('a'));
    expect((await api.call('POST', '/v1/posts', { token: alice.token, body: { body: '🙂'.repeat(280) } })).status).toBe(
      201,
    );
    expectError(
      await api.call('POST', '/v1/posts', { token: alice.token, body: { body: 'x'.repeat(281) } }),
      400,
      'POST_TOO_LONG',
    );
    for (const body of [{ body: '' }, { body: '   ' }, { body: 7 }, {}, { body: 'x', more: 1 }, { body: 'a\u0000b' }]) {
      expectError(await api.call('POST', '/v1/posts', { token: alice.token, body }), 400, 'VALIDATION_FAILED');
    }
    expect((await api.call('GET', '/v1/me', { token: alice.token })).body.postsCount).toBe(1);
  });

  it('are deleted by their author only, then gone from reads and author timelines', async () => {
    const alice = await api.createUser(uniqueHandle('a'));
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push((await api.call('POST', '/v1/posts', { token: alice.token, body: { body: `p${i}` } })).body.id);
    expect((await api.call('DELETE', `/v1/posts/${ids[1]}`, { token: alice.token })).status).toBe(204);
    expect((await api.call('DELETE', `/v1/posts/${ids[1]}`, { token: alice.token })).status).toBe(204);
    expectError(await api.call('GET', `/v1/posts/${ids[1]}`), 404, 'NOT_FOUND');
    const own = await api.call('GET', `/v1/users/${alice.id}/posts`);
    expect(own.body.items.map((p: { id: string }) => p.id)).toEqual([ids[2], ids[0]]);
  });
});

describe('timeline queries', () => {
  it('validate limit, cursor and strategy', async () => {
    const alice = await api.createUser(uniqueHandle('a'));
    const get = (query: string) => api.call('GET', `/v1/me/timeline${query}`, { token: alice.token });
    expectError(await get('?limit=0'), 400, 'VALIDATION_FAILED');
    expectError(await get('?limit=101'), 400, 'VALIDATION_FAILED');
    expectError(await get('?limit=ten'), 400, 'VALIDATION_FAILED');
    expectError(await get('?strategy=fanout'), 400, 'VALIDATION_FAILED');
    expectError(await get('?cursor=%25%25%25'), 400, 'INVALID_CURSOR');
    const huge = Buffer.from('99999999999999999999').toString('base64url');
    const beyondBigint = Buffer.from('9999999999999999999').toString('base64url');
    expectError(await get(`?cursor=${huge}`), 400, 'INVALID_CURSOR');
    expectError(await get(`?cursor=${beyondBigint}`), 400, 'INVALID_CURSOR');
    const followersCursor = Buffer.from('9999999999999999999.1').toString('base64url');
    expectError(
      await api.call('GET', `/v1/users/${alice.id}/followers?cursor=${followersCursor}`),
      400,
      'INVALID_CURSOR',
    );
    expect((await get('?limit=100&strategy=pull')).body).toEqual({
      items: [],
      nextCursor: null,
      strategy: 'pull',
      source: 'database',
    });
  });
});

describe('admin', () => {
  it('needs the admin token: 401 without a token, 403 with a user token', async () => {
    const alice = await api.createUser(uniqueHandle('a'));
    expectError(await api.call('GET', '/v1/admin/config'), 401, 'UNAUTHORIZED');
    expectError(await api.call('GET', '/v1/admin/config', { token: alice.token }), 403, 'FORBIDDEN');
    expectError(await api.call('POST', '/v1/admin/mailboxes/rebuild', { token: alice.token }), 403, 'FORBIDDEN');
  });

  it('validates flag changes and applies good ones', async () => {
    const patch = (body: unknown) => api.call('PATCH', '/v1/admin/config', { token: ADMIN_TOKEN, body });
    expectError(await patch({ strategy: 'fanout' }), 400, 'VALIDATION_FAILED');
    expectError(await patch({}), 400, 'VALIDATION_FAILED');
    expectError(await patch({ celebrityThreshold: 0 }), 400, 'VALIDATION_FAILED');
    expectError(await patch({ mailboxSize: '800' }), 400, 'VALIDATION_FAILED');
    const ok = await patch({ celebrityThreshold: 1234 });
    expect(ok.status).toBe(200);
    expect((await api.call('GET', '/v1/admin/config', { token: ADMIN_TOKEN })).body.celebrityThreshold).toBe(1234);
    expect((await api.call('POST', '/v1/admin/mailboxes/rebuild', { token: ADMIN_TOKEN })).status).toBe(202);
    const { status } = await api.waitIdle();
    expect(status.accepted).toBe(status.delivered + status.pending + status.failed);
  });
});

describe('documentation', () => {
  const called = new Set<string>();

  /** Calls a route and checks the answer against the OpenAPI document's schema for it, strictly. */
  async function documented(method: HttpMethod, template: string, path: string, options = {}) {
    called.add(`${method} ${template}`);
    const route = API_ROUTES.find((r) => r.method === method && r.path === template);
    expect(route, `${method} ${template} is documented`).toBeDefined();
    const response = await api.call(method.toUpperCase(), path, options);
    const [status, schema] = route!.ok;
    expect(response.status, JSON.stringify(response.body)).toBe(status);
    if (schema) {
      const parsed = schema.safeParse(response.body);
      expect(parsed.success, `${method} ${path}: ${parsed.error?.message}`).toBe(true);
    } else expect(response.body).toBeUndefined();
    return response;
  }

  it('serves OpenAPI 3.1 and a page listing every operation', async () => {
    const doc = await api.call('GET', '/docs/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    expect(Object.keys(doc.body.paths)).toContain('/v1/me/timeline');
    const page = await fetch(`http://127.0.0.1:${port}/docs`);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    // Swagger UI, which draws the operations in the browser (test/e2e/docs-ui.e2e-spec.ts opens it in Chromium).
    expect(await page.text()).toContain('swagger-ui-bundle.js');
  });

  it('answers as documented on every JSON route', async () => {
    const author = (await documented('post', '/v1/users', '/v1/users', { body: { handle: uniqueHandle('d') } })).body;
    const reader = await api.createUser(uniqueHandle('r'));
    const token = reader.token;
    await documented('put', '/v1/me/following/{userId}', `/v1/me/following/${author.id}`, { token });
    const post = (await documented('post', '/v1/posts', '/v1/posts', { token: author.token, body: { body: 'hi' } }))
      .body;
    await documented('get', '/v1/posts/{id}', `/v1/posts/${post.id}`);
    await documented('get', '/v1/me', '/v1/me', { token });
    await documented('get', '/v1/users/{id}', `/v1/users/${author.id}`);
    await documented('get', '/v1/users/{id}/followers', `/v1/users/${author.id}/followers`);
    await documented('get', '/v1/users/{id}/following', `/v1/users/${reader.id}/following`);
    await documented('get', '/v1/users/{id}/posts', `/v1/users/${author.id}/posts`);
    await api.waitIdle();
    for (const strategy of ['push', 'pull', 'hybrid']) {
      const page = await documented('get', '/v1/me/timeline', `/v1/me/timeline?strategy=${strategy}`, { token });
      expect(page.body.items.map((i: { id: string }) => i.id)).toEqual([post.id]);
    }
    const admin = { token: ADMIN_TOKEN };
    const { fanoutBatchSize } = (await documented('get', '/v1/admin/config', '/v1/admin/config', admin)).body;
    await documented('patch', '/v1/admin/config', '/v1/admin/config', { ...admin, body: { fanoutBatchSize } });
    await documented('get', '/v1/admin/fanout', '/v1/admin/fanout', admin);
    await documented('get', '/v1/admin/metrics', '/v1/admin/metrics', admin);
    await documented('get', '/health/live', '/health/live');
    await documented('get', '/health/ready', '/health/ready');
    await documented('delete', '/v1/posts/{id}', `/v1/posts/${post.id}`, { token: author.token });
    await documented('delete', '/v1/me/following/{userId}', `/v1/me/following/${author.id}`, { token });
    await documented('post', '/v1/admin/mailboxes/rebuild', '/v1/admin/mailboxes/rebuild', admin);
    await api.waitIdle();
    // Every documented JSON route was called above (the text ones and the document itself are checked apart).
    const json = API_ROUTES.filter((r) => !['/metrics', '/docs', '/docs/openapi.json'].includes(r.path));
    expect([...called].sort()).toEqual(json.map((r) => `${r.method} ${r.path}`).sort());
  });
});

describe('measurements', () => {
  it("adds every process's histograms for the admin, and refuses anyone else", async () => {
    const user = await api.createUser(uniqueHandle('m'));
    expectError(await api.call('GET', '/v1/admin/metrics'), 401, 'UNAUTHORIZED');
    expectError(await api.call('GET', '/v1/admin/metrics', { token: user.token }), 403, 'FORBIDDEN');
    expectError(await api.call('GET', '/v1/admin/metrics?raw=yes', { token: ADMIN_TOKEN }), 400, 'VALIDATION_FAILED');

    await api.call('POST', '/v1/posts', { token: user.token, body: { body: 'measured' } });
    for (let i = 0; i < 3; i++) await api.call('GET', '/v1/me/timeline?strategy=pull', { token: user.token });
    await api.waitIdle();
    // The worker publishes its snapshot every METRICS_PUBLISH_MS (1 s by default).
    let view!: MetricsView;
    for (let tries = 0; tries < 50; tries++) {
      view = (await api.call<MetricsView>('GET', '/v1/admin/metrics', { token: ADMIN_TOKEN })).body;
      const workers = view.processes.filter((p) => p.role === 'worker');
      if (workers.length && view.series.some((x) => x.name === 'fanout.plan')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(view.processes.map((p) => p.role).sort()).toEqual(['api', 'worker']);
    const reads = view.series.find(
      (x) => x.name === 'http.request' && x.labels.route === '/v1/me/timeline' && x.labels.strategy === 'pull',
    )!;
    expect(reads.count).toBeGreaterThanOrEqual(3);
    expect(reads.p99Ms).toBeGreaterThan(0);
    expect(decodeHistogram(reads.histogram).totalCount).toBe(reads.count);
    expect(view.series.some((x) => x.name === 'fanout.plan' && x.labels.detail === 'post.created')).toBe(true);
    expect(view.counters).toContainEqual({
      name: 'http.responses',
      labels: { method: 'GET', route: '/v1/admin/metrics', status: '401' },
      value: expect.any(Number),
    });

    const raw = (
      await api.call<{ snapshots: ProcessSnapshot[] }>('GET', '/v1/admin/metrics?raw=true', { token: ADMIN_TOKEN })
    ).body;
    expect(raw.snapshots.map((x) => x.process.role).sort()).toEqual(['api', 'worker']);
    expect(raw).not.toHaveProperty('series');
  });

  it('serves Prometheus metrics: latency, traffic, errors and saturation', async () => {
    const response = await fetch(`${api.baseUrl}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    for (const name of [
      'fanout_http_request_duration_seconds_bucket',
      'fanout_http_responses_total',
      'fanout_queue_jobs',
      'fanout_nodejs_eventloop_lag_p99_seconds',
    ]) {
      expect(text).toContain(name);
    }
  });
});

describe('flags across processes', () => {
  let second: Service | undefined;
  afterAll(async () => second?.stop());

  it('reach another API process without a restart', async () => {
    const otherPort = await freePort();
    second = await startProduct('api', { ...envOf(config), PORT: String(otherPort), HOST: '127.0.0.1' });
    const other = new ApiClient(`http://127.0.0.1:${otherPort}`, ADMIN_TOKEN);
    const threshold = async () =>
      (await other.call('GET', '/v1/admin/config', { token: ADMIN_TOKEN })).body.celebrityThreshold as number;
    const value = (await threshold()) + 1;
    const patched = await api.call('PATCH', '/v1/admin/config', {
      token: ADMIN_TOKEN,
      body: { celebrityThreshold: value },
    });
    expect(patched.body.celebrityThreshold).toBe(value);
    // The design's promise: every process follows a flag change within a second.
    const changedAt = Date.now();
    let seen = await threshold();
    while (seen !== value && Date.now() - changedAt < 1000) {
      await new Promise((r) => setTimeout(r, 10));
      seen = await threshold();
    }
    expect(seen, 'the second process sees the change within a second').toBe(value);
    console.log(`flag change seen by the second API process after ${Date.now() - changedAt} ms`);
  });

  it('stop start-up with a message naming a bad flag', () => {
    const result = spawnSync(process.execPath, ['dist/apps/api/src/main.js'], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      env: { PATH: process.env.PATH ?? '', TIMELINE_STRATEGY: 'fanout', MAILBOX_SIZE: 'lots' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('TIMELINE_STRATEGY="fanout"');
    expect(result.stderr).toContain('MAILBOX_SIZE="lots"');
  });
});
