import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import {
  ApiClient,
  freePort,
  migrateDatabase,
  PrivatePostgres,
  PrivateRedis,
  startProduct,
  stopAllServices,
} from '#libs/contract';
import { type Deployment, FAULT_KINDS, type FaultKind, inject } from './chaos.faults.js';

const USAGE = `npm run chaos -- [--duration-seconds 600] [--users 30] [--rate 20] [--seed N]

Keeps a mixed load (posts with Idempotency-Keys, timeline reads) on two API processes and two workers, on a
PostgreSQL and a Redis of its own on loopback ports, while it kills and restarts workers and API processes, flushes
Redis, and stops, freezes and restarts PostgreSQL and Redis. Then it retries every post that got no 201, waits for
the fan-out to drain, checks every user's timeline under push and hybrid against pull, and prints what happened.
Exit code 0 when nothing was lost, doubled or left pending and every timeline matched.`;

const { values: args } = parseArgs({
  options: {
    'duration-seconds': { type: 'string', default: '600' },
    users: { type: 'string', default: '30' },
    rate: { type: 'string', default: '20' },
    seed: { type: 'string', default: String(Date.now() % 2 ** 31) },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
let state = Number(args.seed) >>> 0 || 1;
const pick = (n: number) => {
  state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
  return state % n;
};
const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
const ADMIN = `chaos-${randomBytes(12).toString('hex')}`;

interface Attempt {
  key: string;
  author: { id: string; token: string };
  body: string;
  id?: string;
}

async function main(): Promise<void> {
  const durationMs = Number(args['duration-seconds']) * 1000;
  const redis = await PrivateRedis.start();
  const postgres = await PrivatePostgres.start();
  const databaseUrl = postgres.url('fanout_lab_chaos');
  await migrateDatabase(databaseUrl);
  const env = {
    DATABASE_URL: databaseUrl,
    REDIS_URL: redis.url,
    REDIS_PREFIX: 'chaos',
    ADMIN_TOKEN: ADMIN,
    LOG_LEVEL: 'error',
    TIMELINE_STRATEGY: 'hybrid',
    CELEBRITY_THRESHOLD: '8',
    OUTBOX_REENQUEUE_MS: '2000',
    RATE_LIMIT_PER_TOKEN: '100000',
    RATE_LIMIT_PER_ADDRESS: '100000',
    AUTH_FAILURES_PER_ADDRESS: '100000',
  };
  const d: Deployment = { postgres, redis, apis: [], workers: [], env };
  const faults = new Map<FaultKind, number>();
  const statuses = new Map<string, number>();
  const attempts: Attempt[] = [];
  try {
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      d.apis.push({ port, service: await startProduct('api', { ...env, PORT: String(port), HOST: '127.0.0.1' }) });
      d.workers.push(await startProduct('worker', env));
    }
    const clients = () => d.apis.map((a) => new ApiClient(`http://127.0.0.1:${a.port}`, ADMIN));
    const users = [];
    for (let i = 0; i < Number(args.users); i++) users.push(await clients()[0]!.createUser(`chaos_${i}`));
    for (const user of users) {
      for (let f = 0; f < 8; f++) {
        const other = users[pick(users.length)]!;
        if (other.id !== user.id)
          await clients()[0]!.call('PUT', `/v1/me/following/${other.id}`, { token: user.token });
      }
    }
    log(`${users.length} users, two API processes and two workers up; chaos for ${durationMs / 1000} s`);

    const until = Date.now() + durationMs;
    const count = (status: string) => statuses.set(status, (statuses.get(status) ?? 0) + 1);
    const load = (async () => {
      for (let n = 0; Date.now() < until; n++) {
        const api = clients()[pick(2)]!;
        const user = users[pick(users.length)]!;
        const request =
          pick(3) === 0
            ? postOnce(api, { key: `chaos-${n}`, author: user, body: `chaos post ${n}` }, attempts)
            : api.call('GET', '/v1/me/timeline', { token: user.token }).then((r) => r.status);
        void request.then(
          (status) => count(String(status)),
          () => count('no answer'),
        );
        await sleep(1000 / Number(args.rate));
      }
    })();
    while (Date.now() < until - 10_000) {
      await sleep(10_000 + pick(10_000));
      const kind = FAULT_KINDS[pick(FAULT_KINDS.length)]!;
      log(`fault: ${kind}`);
      await inject(kind, d, pick);
      faults.set(kind, (faults.get(kind) ?? 0) + 1);
    }
    await load;
    await sleep(2000);

    // The clients' side: every post that got no 201 is sent again with its key until it gets one.
    const api = clients()[0]!;
    for (const attempt of attempts.filter((a) => !a.id)) {
      for (let tries = 0; !attempt.id && tries < 60; tries++) {
        if ((await postOnce(api, attempt, [])) !== 201) await sleep(1000);
      }
    }
    const idle = await api.waitIdle({ timeoutMs: 5 * 60_000 }).catch((error: Error) => error);
    const report = await verify(api, users, attempts);
    log(`faults injected: ${[...faults].map(([k, n]) => `${k} ×${n}`).join(', ')}`);
    log(`requests answered by status: ${[...statuses].map(([s, n]) => `${s}: ${n}`).join(', ')}`);
    log(
      `posts accepted ${attempts.filter((a) => a.id).length} of ${attempts.length} sent; verified ${report.verified}, ` +
        `lost ${report.lost}, duplicated ${report.duplicated}; events pending ` +
        `${idle instanceof Error ? `? (${idle.message})` : idle.status.pending}; timelines checked ${report.checked}, ` +
        `differing from pull ${report.mismatches}`,
    );
    const ok = !(idle instanceof Error) && report.lost + report.duplicated + report.mismatches === 0;
    process.exitCode = ok ? 0 : 1;
  } finally {
    await stopAllServices();
    await redis.stop();
    await postgres.remove();
  }
}

/** One POST with the attempt's Idempotency-Key; records the id on a 201. Resolves with the status. */
async function postOnce(api: ApiClient, attempt: Attempt, into: Attempt[]): Promise<number> {
  if (!into.includes(attempt)) into.push(attempt);
  const response = await fetch(`${api.baseUrl}/v1/posts`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${attempt.author.token}`,
      'content-type': 'application/json',
      'idempotency-key': attempt.key,
    },
    body: JSON.stringify({ body: attempt.body }),
  });
  const answer = (await response.json()) as { id?: string };
  if (response.status === 201) {
    if (attempt.id && attempt.id !== answer.id) throw new Error(`key ${attempt.key} answered two posts`);
    attempt.id = answer.id;
  }
  return response.status;
}

/** Every author's posts against the attempts; every user's first page under push and hybrid against pull. */
async function verify(api: ApiClient, users: { id: string; token: string }[], attempts: Attempt[]) {
  const stored = new Map<string, number>();
  for (const user of users) {
    for (let cursor = ''; ;) {
      const page = (await api.call('GET', `/v1/users/${user.id}/posts?limit=100${cursor}`)).body;
      for (const item of page.items as { body: string }[]) stored.set(item.body, (stored.get(item.body) ?? 0) + 1);
      if (!page.nextCursor) break;
      cursor = `&cursor=${page.nextCursor}`;
    }
  }
  const accepted = attempts.filter((a) => a.id);
  const lost = accepted.filter((a) => !stored.has(a.body)).length;
  const duplicated = [...stored.values()].filter((n) => n > 1).length;
  let mismatches = 0;
  for (const user of users) {
    const ids = async (strategy: string) =>
      (
        (await api.call('GET', `/v1/me/timeline?strategy=${strategy}&limit=50`, { token: user.token })).body.items as {
          id: string;
        }[]
      ).map((p) => p.id);
    const pull = JSON.stringify(await ids('pull'));
    for (const strategy of ['push', 'hybrid']) if (JSON.stringify(await ids(strategy)) !== pull) mismatches += 1;
  }
  return { verified: accepted.length - lost, lost, duplicated, checked: users.length * 2, mismatches };
}

main().catch(async (error: unknown) => {
  console.error(error);
  await stopAllServices();
  process.exitCode = 1;
});
