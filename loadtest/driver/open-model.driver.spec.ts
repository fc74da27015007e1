import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Credentials } from './credentials.model.js';
import { nodeHttpTransport, type Transport } from './http.transport.js';
import { drive } from './open-model.driver.js';
import type { Scenario } from './scenario.model.js';

// A real loopback server whose first `stallFirst` requests (or all, with stallFirst = Infinity) sleep `stallMs`.
// It closes itself after 10 s whatever happens, so a failing test cannot leave it running.
async function stallingServer(stallFirst: number, stallMs: number) {
  let seen = 0;
  const paths: string[] = [];
  const server = http.createServer((req, res) => {
    const n = seen++;
    paths.push(`${req.method} ${req.url} ${req.headers.authorization}`);
    req.resume();
    setTimeout(() => res.end('{}'), n < stallFirst ? stallMs : 0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const stop = () => {
    server.close();
    server.closeAllConnections();
  };
  setTimeout(stop, 10_000).unref();
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, stop, paths };
}

const credentials: Credentials = {
  users: [
    { id: '1', token: 'tok1', followers: 9, following: 0, activity: 1 },
    { id: '2', token: 'tok2', followers: 0, following: 1, activity: 1 },
  ],
  celebrities: ['1'],
};

const scenario = (over: Partial<Scenario>): Scenario => ({
  name: 'test',
  description: '',
  strategy: 'push',
  rates: [100],
  stepSeconds: 1,
  warmupSeconds: 0,
  limit: 20,
  mix: [{ endpoint: 'timeline', weight: 1, who: 'readers-by-activity' }],
  thresholds: { p99Ms: 50 },
  maxInFlight: 1000,
  ...over,
});

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0)) await f();
});

async function run(s: Scenario, server: { url: string }, maxSockets: number) {
  const transport: Transport = nodeHttpTransport({ baseUrl: server.url, maxSockets, timeoutMs: 5000 });
  cleanup.push(() => transport.close());
  const result = await drive({ scenario: s, credentials, transport, timeoutMs: 5000 });
  const [step] = result.records;
  return { result, step, timeline: step.tags.get('timeline|push')! };
}

// Real sockets and real time: generous timeouts so a busy CI machine does not fail them.
describe('open-model driver', { timeout: 20_000 }, () => {
  it('counts latency from the scheduled send time, so requests queued behind a stalled server are slow', async () => {
    // Two sockets, both stuck for 300 ms on the first two requests: the sends due meanwhile wait in the client's
    // socket queue. Measured from the wire they would look fast; measured from their due time they are not.
    const server = await stallingServer(2, 300);
    cleanup.push(server.stop);
    const { step, timeline } = await run(scenario({ rates: [100] }), server, 2);

    expect(step).toMatchObject({ scheduled: 100, sent: 100 });
    expect(timeline).toMatchObject({ errors: 0, dropped: 0 });
    expect(timeline.latency.totalCount).toBe(100);
    // Sends due at 0..~290 ms finish at ~300 ms: the slowest tenth (due before ~100 ms) took >= ~200 ms.
    expect(timeline.latency.getValueAtPercentile(90)).toBeGreaterThan(150_000);
    expect(timeline.latency.maxValue).toBeGreaterThan(290_000);
    // Once the stall clears the server is fast again, and so are the later sends.
    expect(timeline.latency.getValueAtPercentile(50)).toBeLessThan(100_000);
  });

  it('drops (and counts) sends due while maxInFlight requests are outstanding instead of delaying them', async () => {
    const server = await stallingServer(Infinity, 200);
    cleanup.push(server.stop);
    const { step, timeline } = await run(scenario({ rates: [100], maxInFlight: 5 }), server, 5);

    expect(step.scheduled).toBe(100);
    expect(step.sent + timeline.dropped).toBe(100);
    // 5 slots of 200 ms in a 1 s step: about 25 sends, the rest dropped.
    expect(timeline.dropped).toBeGreaterThan(60);
    expect(timeline.latency.totalCount).toBe(step.sent);
    // What was sent was sent on time: a send that waited for a slot would take >= 2 x 200 ms.
    expect(timeline.latency.maxValue).toBeLessThan(380_000);
  });

  it('follows the mix and the ladder, with the strategy on reads and a token on every request', async () => {
    const server = await stallingServer(0, 0);
    cleanup.push(server.stop);
    const s = scenario({
      rates: [50, 100],
      warmupSeconds: 1,
      mix: [
        { endpoint: 'timeline', weight: 3, who: 'readers-by-activity' },
        { endpoint: 'post', weight: 1, who: 'celebrities' },
      ],
    });
    const transport = nodeHttpTransport({ baseUrl: server.url, maxSockets: 50, timeoutMs: 5000 });
    cleanup.push(() => transport.close());
    const result = await drive({ scenario: s, credentials, transport, timeoutMs: 5000 });

    expect(result.warmup).toEqual({ sent: 50, dropped: 0, errors: 0 });
    expect(result.records.map((r) => [r.step, r.targetRate, r.scheduled, r.sent])).toEqual([
      [1, 50, 50, 50],
      [2, 100, 100, 100],
    ]);
    const posts = result.records.reduce((n, r) => n + r.tags.get('post|push')!.latency.totalCount, 0);
    // Reads are also kept by the reader's following count (user 1 follows 0 accounts, user 2 one): posts are not.
    const reads = result.records.reduce((n, r) => n + r.tags.get('timeline|push')!.latency.totalCount, 0);
    const byFollowing = result.records.reduce((n, r) => n + (r.following.get('0-9')?.totalCount ?? 0), 0);
    expect(byFollowing).toBe(reads);
    expect([...result.records[0]!.following.keys()]).toEqual(['0-9']);
    expect(posts).toBeGreaterThan(20); // ~37 of 150
    expect(posts).toBeLessThan(60);
    expect(server.paths).toHaveLength(200);
    expect(server.paths).toContain('GET /v1/me/timeline?limit=20&strategy=push Bearer tok1');
    // Posts come from the celebrity only.
    expect(server.paths.filter((p) => p.startsWith('POST')).every((p) => p === 'POST /v1/posts Bearer tok1')).toBe(
      true,
    );
  });

  it('counts non-2xx and refused connections as errors', async () => {
    const server = http.createServer((req, res) => {
      req.resume();
      res.statusCode = 503;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => server.close());
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const { timeline } = await run(scenario({ rates: [20] }), { url }, 10);
    expect(timeline.errors).toBe(20);

    const closed = await run(scenario({ rates: [20] }), { url: 'http://127.0.0.1:1' }, 10);
    expect(closed.timeline.errors).toBe(20);
  });
});
