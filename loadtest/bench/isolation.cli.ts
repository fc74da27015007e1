import { createHash, randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import pg from 'pg';
import { deletePrefix, migrateDatabase, startProduct } from '#libs/contract';
import { percentile } from '../graph/graph.report.js';

// One user hammers the most expensive read there is (the SQL join, following 5,000 accounts) at full concurrency while
// another user posts at a steady pace: how much does the first cost the second? Run against the API with its limits
// as shipped, with the per-client limits lifted (only the per-process bound on joins left), and with no bound at all
// (the pool shared first come, first served, as before the limits), each in the same run.

const USAGE = `node dist/loadtest/bench/isolation.cli.js [--concurrency 64] [--seconds 10] [--following 5000]
  [--database-url URL] [--redis-url URL] [--port 3300]`;

const { values: args } = parseArgs({
  options: {
    concurrency: { type: 'string', default: '64' },
    seconds: { type: 'string', default: '10' },
    following: { type: 'string', default: '5000' },
    'database-url': { type: 'string', default: 'postgresql://postgres@127.0.0.1:5432/fanout_lab_isolation' },
    'redis-url': { type: 'string', default: 'redis://127.0.0.1:6379' },
    port: { type: 'string', default: '3300' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const CONCURRENCY = Number(args.concurrency);
const SECONDS = Number(args.seconds);
const FOLLOWING = Number(args.following);
/** The poster stays under the default RATE_LIMIT_PER_TOKEN (50/s): its own limit is not what is measured. */
const POSTS_PER_SECOND = 40;

const CONFIGS: { name: string; env: Record<string, string> }[] = [
  { name: 'limits as shipped', env: {} },
  {
    name: 'per-client limits lifted (PULL_READ_CONCURRENCY left)',
    env: { RATE_LIMIT_PER_TOKEN: '10000000', PULL_READS_PER_USER: '10000' },
  },
  {
    name: 'no bound at all (the pool first come, first served)',
    env: { RATE_LIMIT_PER_TOKEN: '10000000', PULL_READS_PER_USER: '10000', PULL_READ_CONCURRENCY: '10' },
  },
];

interface Users {
  heavy: string;
  poster: string;
}

/** A fresh database: a user following FOLLOWING accounts that posted 20 times each, and a user who posts. */
async function seed(databaseUrl: string): Promise<Users> {
  await migrateDatabase(databaseUrl);
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    await db.query('TRUNCATE users, follows, posts, tokens, outbox RESTART IDENTITY CASCADE');
    await db.query(
      `INSERT INTO users (handle, display_name) SELECT 'iso' || g, 'iso' || g FROM generate_series(1, $1::int + 2) g`,
      [FOLLOWING],
    );
    await db.query(`INSERT INTO follows (follower_id, followee_id) SELECT 1, id FROM users WHERE id > 2`);
    await db.query(`UPDATE users SET following_count = $1 WHERE id = 1`, [FOLLOWING]);
    await db.query(`UPDATE users SET followers_count = 1, posts_count = 20 WHERE id > 2`);
    await db.query(
      `INSERT INTO posts (author_id, body, created_at)
       SELECT u.id, 'post ' || g, now() - make_interval(secs => g * 60) FROM users u, generate_series(1, 20) g
       WHERE u.id > 2`,
    );
    await db.query('ANALYZE');
    const tokens = {
      heavy: `flt_${randomBytes(24).toString('base64url')}`,
      poster: `flt_${randomBytes(24).toString('base64url')}`,
    };
    const hash = (token: string) => createHash('sha256').update(token).digest();
    await db.query('INSERT INTO tokens (user_id, token_hash) VALUES (1, $1), (2, $2)', [
      hash(tokens.heavy),
      hash(tokens.poster),
    ]);
    return tokens;
  } finally {
    await db.end();
  }
}

/** POSTs at a steady pace for `seconds`; their latencies in ms. */
async function paced(base: string, token: string, seconds: number): Promise<{ ms: number[]; failed: number }> {
  const ms: number[] = [];
  let failed = 0;
  const until = performance.now() + seconds * 1000;
  for (let i = 0; performance.now() < until; i++) {
    const started = performance.now();
    const response = await fetch(`${base}/v1/posts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ body: `steady ${i}` }),
    });
    await response.text();
    if (response.status === 201) ms.push(performance.now() - started);
    else failed += 1;
    const next = started + 1000 / POSTS_PER_SECOND;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
  }
  return { ms, failed };
}

/**
 * CONCURRENCY loops of pull reads until `stop()`, in a thread of its own: in the poster's event loop they would slow
 * the poster's own measurement. Answers by status.
 */
function hammer(base: string, token: string) {
  const thread = new Worker(new URL(import.meta.url), { workerData: { base, token, concurrency: CONCURRENCY } });
  const done = new Promise<Map<number, number>>((resolve, reject) => {
    thread.once('message', (counts: [number, number][]) => resolve(new Map(counts)));
    thread.once('error', reject);
  });
  return {
    stop: async () => {
      thread.postMessage('stop');
      const statuses = await done;
      await thread.terminate();
      return statuses;
    },
  };
}

async function hammerThread(data: { base: string; token: string; concurrency: number }): Promise<void> {
  const statuses = new Map<number, number>();
  let running = true;
  parentPort!.once('message', () => (running = false));
  const loops = Array.from({ length: data.concurrency }, async () => {
    while (running) {
      const response = await fetch(`${data.base}/v1/me/timeline?strategy=pull&limit=20`, {
        headers: { authorization: `Bearer ${data.token}` },
      }).catch(() => null);
      await response?.text();
      const status = response?.status ?? 0;
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  });
  await Promise.all(loops);
  parentPort!.postMessage([...statuses]);
}

const p = (values: number[], q: number) =>
  percentile(
    [...values].sort((a, b) => a - b),
    q,
  );

async function main(): Promise<void> {
  const databaseUrl = args['database-url'];
  const tokens = await seed(databaseUrl);
  const base = `http://127.0.0.1:${args.port}`;
  console.log(
    `one user following ${FOLLOWING} accounts reads the SQL join ${CONCURRENCY} at a time; another posts ${POSTS_PER_SECOND}/s`,
  );
  for (const config of CONFIGS) {
    const prefix = `iso-${randomBytes(3).toString('hex')}`;
    const api = await startProduct('api', {
      DATABASE_URL: databaseUrl,
      REDIS_URL: args['redis-url'],
      REDIS_PREFIX: prefix,
      PORT: args.port,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'error',
      TIMELINE_STRATEGY: 'pull',
      ...config.env,
    });
    try {
      await paced(base, tokens.poster, 2); // warm-up
      const quiet = await paced(base, tokens.poster, SECONDS / 2);
      const load = hammer(base, tokens.heavy);
      const busy = await paced(base, tokens.poster, SECONDS);
      const statuses = await load.stop();
      const reads = [...statuses.values()].reduce((a, b) => a + b, 0);
      const byStatus = [...statuses].map(([s, n]) => `${s}: ${n}`).join(', ');
      const ratio = p(busy.ms, 50) / p(quiet.ms, 50);
      console.log(
        `${config.name}: POST p50 ${p(quiet.ms, 50).toFixed(2)} ms alone, ${p(busy.ms, 50).toFixed(2)} ms under ` +
          `the reads (${ratio.toFixed(2)}x), p99 ${p(quiet.ms, 99).toFixed(1)} -> ${p(busy.ms, 99).toFixed(1)} ms, ` +
          `posts failed ${quiet.failed + busy.failed}; the reader's ${reads} reads (${(reads / SECONDS).toFixed(0)}/s) by status {${byStatus}}`,
      );
    } finally {
      await api.stop();
      await deletePrefix(args['redis-url'], prefix);
    }
  }
  await dropDatabase(databaseUrl);
}

/** The run's database goes when it is done, as the bench's keys do. */
async function dropDatabase(databaseUrl: string): Promise<void> {
  const admin = new URL(databaseUrl);
  const name = admin.pathname.slice(1);
  admin.pathname = '/postgres';
  const db = new pg.Client({ connectionString: admin.toString() });
  await db.connect();
  try {
    await db.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}" WITH (FORCE)`);
  } finally {
    await db.end();
  }
}

if (isMainThread) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
} else {
  void hammerThread(workerData as { base: string; token: string; concurrency: number });
}
