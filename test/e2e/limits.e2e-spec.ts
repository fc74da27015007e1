import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, startProduct, type ApiResponse, type Service } from '#libs/contract';
import { freePort } from '../support/processes.js';
import { ADMIN_TOKEN, envOf, testConfig, uniqueHandle } from '../support/test-config.js';

// What one client may cost the others, on two API processes of one deployment: the request rates are counted in
// Redis, so a client spreading its requests over both processes is held to one limit. Under push, so timeline reads
// go to the mailbox (whose script counts them) unless asked for pull.

const PER_TOKEN = 20;
const PER_ADDRESS = 15;
const env = envOf(
  testConfig({
    RATE_LIMIT_PER_TOKEN: String(PER_TOKEN),
    RATE_LIMIT_PER_ADDRESS: String(PER_ADDRESS),
    PULL_READS_PER_USER: '1',
  }),
  { TIMELINE_STRATEGY: 'push' },
);
const apis: Service[] = [];
const clients: ApiClient[] = [];

beforeAll(async () => {
  for (let i = 0; i < 2; i++) {
    const port = await freePort();
    apis.push(await startProduct('api', { ...env, PORT: String(port), HOST: '127.0.0.1' }));
    clients.push(new ApiClient(`http://127.0.0.1:${port}`, ADMIN_TOKEN));
  }
});
afterAll(async () => Promise.all(apis.map((api) => api.stop())));

/** Starts every call at once and returns the answers. */
const burst = (count: number, call: (i: number) => Promise<ApiResponse>) =>
  Promise.all(Array.from({ length: count }, (_, i) => call(i)));

/** Waits for the start of a fresh one-second window, so a burst is counted in one. */
async function freshSecond(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 20));
}

async function someUser(): Promise<{ id: string; token: string }> {
  for (;;) {
    const created = await clients[0]!.call('POST', '/v1/users', { body: { handle: uniqueHandle('lim') } });
    if (created.status === 201) return created.body;
    await freshSecond();
  }
}

describe('rate limits shared by every API process', () => {
  it('holds one token to RATE_LIMIT_PER_TOKEN per second across both processes, with 429 and Retry-After', async () => {
    const [ann, bob] = [await someUser(), await someUser()];
    // Each process verifies ann's and bob's tokens once (until then their requests count against their address).
    for (const client of clients)
      for (const user of [ann, bob]) await client.call('GET', '/v1/me', { token: user.token });
    await freshSecond();
    const answers = await burst(2 * PER_TOKEN, (i) => clients[i % 2]!.call('GET', '/v1/me', { token: ann.token }));
    const statuses = answers.map((a) => a.status);
    // Each process alone saw exactly PER_TOKEN: only a shared count refuses any.
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(PER_TOKEN);
    const refused = answers.filter((a) => a.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(PER_TOKEN);
    expect(refused[0]!.body).toMatchObject({ statusCode: 429, code: 'RATE_LIMITED' });
    // The timeline route, registered on Fastify directly, is counted too.
    const timeline = await fetch(`${clients[0]!.baseUrl}/v1/me/timeline`, {
      headers: { authorization: `Bearer ${bob.token}` },
    });
    expect(timeline.headers.get('x-ratelimit-limit')).toBe(String(PER_TOKEN));
    // Someone else is not held back by ann.
    expect((await clients[1]!.call('GET', '/v1/me', { token: bob.token })).status).toBe(200);
  });

  // A verified user's timeline read is counted by the read itself (in the mailbox script, or on its own for a read
  // that does not read the mailbox), on the same count as the user's other requests.
  it('counts timeline reads, refused ones included, on the same per-user count, with the same headers', async () => {
    const user = await someUser();
    for (const client of clients) await client.call('GET', '/v1/me', { token: user.token });
    await freshSecond();
    const paths = ['/v1/me/timeline', '/v1/me', '/v1/me/timeline?limit=0'];
    const answers = await Promise.all(
      Array.from({ length: 2 * PER_TOKEN }, (_, i) =>
        fetch(`${clients[i % 2]!.baseUrl}${paths[i % paths.length]}`, {
          headers: { authorization: `Bearer ${user.token}` },
        }),
      ),
    );
    const bodies = await Promise.all(answers.map((a) => a.json() as Promise<{ code?: string; message?: string }>));
    // The user's mailbox is not built yet, so some reads fall back to the join, whose gate refuses reads at once with
    // a 429 of its own (PULL_READS_PER_USER): the rate limit's refusals are told by their message.
    const overRate = answers.filter((_, i) => /requests per second/.test(bodies[i]!.message ?? ''));
    const statuses = answers.map((a) => a.status);
    // The invalid reads (400) count as much as the others.
    expect(statuses.filter((s) => s === 200 || s === 400).length).toBeLessThanOrEqual(PER_TOKEN);
    expect(overRate.length).toBeGreaterThanOrEqual(PER_TOKEN);
    const isTimeline = (a: Response) => answers.indexOf(a) % paths.length === 0;
    const served = answers.find((a) => isTimeline(a) && a.status === 200)!;
    expect(served.headers.get('x-ratelimit-limit')).toBe(String(PER_TOKEN));
    expect(Number(served.headers.get('x-ratelimit-remaining'))).toBeLessThan(PER_TOKEN);
    expect(Number(served.headers.get('x-ratelimit-reset'))).toBe(1);
    const refused = overRate.find(isTimeline)!;
    expect(refused.status).toBe(429);
    expect(refused.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(refused.headers.get('retry-after'))).toBe(1);
    expect(bodies[answers.indexOf(refused)]).toMatchObject({ code: 'RATE_LIMITED' });
  });

  it('counts a pull read (no mailbox read) on the same count', async () => {
    const user = await someUser();
    await clients[0]!.call('GET', '/v1/me', { token: user.token });
    await freshSecond();
    // One at a time (PULL_READS_PER_USER would refuse reads at once with a 429 of its own), until the rate limit
    // refuses one: within PER_TOKEN + 1 reads if they fit in one window, within twice that if a window ends among them.
    const served: number[] = [];
    let refused: ApiResponse | undefined;
    while (refused === undefined && served.length <= 2 * PER_TOKEN + 1) {
      const answer = await clients[0]!.call('GET', '/v1/me/timeline?strategy=pull', { token: user.token });
      if (answer.status === 429) refused = answer;
      else served.push(answer.status);
    }
    expect(new Set(served)).toEqual(new Set([200]));
    expect(refused?.body.message).toMatch(/requests per second/);
  });

  it('sends Retry-After, and never limits health probes', async () => {
    const user = await someUser();
    await clients[0]!.call('GET', '/v1/me', { token: user.token });
    await freshSecond();
    let retryAfter: string | null = null;
    for (let i = 0; i < PER_TOKEN + 5 && retryAfter === null; i++) {
      const response = await fetch(`${clients[0]!.baseUrl}/v1/me`, {
        headers: { authorization: `Bearer ${user.token}` },
      });
      if (response.status === 429) retryAfter = response.headers.get('retry-after');
    }
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    const probes = await burst(3 * PER_ADDRESS, () => clients[0]!.call('GET', '/health/live'));
    expect(new Set(probes.map((p) => p.status))).toEqual(new Set([200]));
  });

  it('holds requests without a verified token to RATE_LIMIT_PER_ADDRESS per second, invented tokens included', async () => {
    await freshSecond();
    const answers = await burst(2 * PER_ADDRESS, (i) =>
      clients[i % 2]!.call('POST', '/v1/users', {
        body: { handle: uniqueHandle('flood') },
        ...(i % 3 === 0 && { token: `flt_invented_${i}` }),
      }),
    );
    expect(answers.filter((a) => a.status === 201).length).toBeLessThanOrEqual(PER_ADDRESS);
    expect(answers.filter((a) => a.status === 429).length).toBeGreaterThanOrEqual(PER_ADDRESS);
  });

  it('lets one user run only PULL_READS_PER_USER timeline joins at once', async () => {
    const [reader, other] = [await someUser(), await someUser()];
    for (const user of [reader, other]) await clients[0]!.call('GET', '/v1/me', { token: user.token });
    await freshSecond();
    const answers = await burst(PER_TOKEN - 2, () =>
      clients[0]!.call('GET', '/v1/me/timeline?strategy=pull', { token: reader.token }),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses).toContain(200);
    expect(statuses).toContain(429);
    expect(new Set(statuses)).toEqual(new Set([200, 429]));
    expect(answers.find((a) => a.status === 429)!.body.message).toMatch(/at once per user/);
    expect((await clients[0]!.call('GET', '/v1/me/timeline', { token: other.token })).status).toBe(200);
  });
});
