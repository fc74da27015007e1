import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { deletePrefix, PROJECT_ROOT as root } from '#libs/contract';
import { defaultGraphParams, type GraphParams, validateGraphParams } from './graph.params.js';
import { countUsers, seedGraph } from './graph.seed.js';
import { warmMailboxes } from './graph.warm.js';

const USAGE = `Seeds a deterministic synthetic social graph with COPY and writes the load scripts' credentials.

  node dist/loadtest/graph/seed.cli.js [--reset] [options]

  --database-url URL        default $DATABASE_URL or postgresql://postgres@127.0.0.1:5432/fanout_lab_bench
                            (created and migrated if missing)
  --reset                   TRUNCATE users, follows, posts, tokens, outbox first (required if not empty), and
                            delete the deployment's Redis keys (mailboxes, caches, queue) under --redis-prefix
  --redis-url URL           default $REDIS_URL or redis://127.0.0.1:6379 (used by --reset)
  --redis-prefix P          default $REDIS_PREFIX or fl, the app's default (used by --reset)
  --if-empty                do nothing when the database already holds users (first start of a demo stack)
  --users N                 accounts (10000)
  --mean-follows N          mean accounts followed per user (50)
  --zipf S                  Zipf exponent of popularity (1.0)
  --posts-per-user N        mean posts per user (20)
  --celebrity-threshold N   followers that make a celebrity, for the credentials file (1000)
  --history-days N          posts spread over this many days before --end-at (30)
  --end-at ISO              end of the post history (start of the current UTC day)
  --seed N                  PRNG seed, unsigned 32-bit (1)
  --out FILE                default loadtest/out/graph-<users>-<seed>.json
  --api-url URL --admin-token T
                            then warm mailboxes: POST /v1/admin/mailboxes/rebuild, wait for fan-out idle
`;

async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      'database-url': { type: 'string' },
      reset: { type: 'boolean', default: false },
      'redis-url': { type: 'string' },
      'redis-prefix': { type: 'string' },
      'if-empty': { type: 'boolean', default: false },
      users: { type: 'string' },
      'mean-follows': { type: 'string' },
      zipf: { type: 'string' },
      'posts-per-user': { type: 'string' },
      'celebrity-threshold': { type: 'string' },
      'history-days': { type: 'string' },
      'end-at': { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      'api-url': { type: 'string' },
      'admin-token': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });

  if (args.help) {
    process.stdout.write(USAGE);
    return;
  }

  const num = (flag: string, value: string | undefined, fallback: number): number => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) throw new Error(`--${flag} must be a number (got ${value})`);
    return n;
  };

  const defaults = defaultGraphParams();
  const params: GraphParams = validateGraphParams({
    seed: num('seed', args.seed, defaults.seed),
    users: num('users', args.users, defaults.users),
    meanFollows: num('mean-follows', args['mean-follows'], defaults.meanFollows),
    zipfExponent: num('zipf', args.zipf, defaults.zipfExponent),
    postsPerUser: num('posts-per-user', args['posts-per-user'], defaults.postsPerUser),
    celebrityThreshold: num('celebrity-threshold', args['celebrity-threshold'], defaults.celebrityThreshold),
    historyDays: num('history-days', args['history-days'], defaults.historyDays),
    endAt: args['end-at'] === undefined ? defaults.endAt : new Date(args['end-at']).toISOString(),
  });
  if (Date.parse(params.endAt) > Date.now())
    throw new Error('--end-at is in the future: new posts would sort before seeded ones');
  if ((args['api-url'] === undefined) !== (args['admin-token'] === undefined))
    throw new Error('--api-url and --admin-token go together');

  const databaseUrl =
    args['database-url'] ?? process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/fanout_lab_bench';
  const out = args.out ? resolve(args.out) : resolve(root, `loadtest/out/graph-${params.users}-${params.seed}.json`);
  const log = (line: string) => console.log(line);

  const started = performance.now();
  const target = new URL(databaseUrl);
  log(`graph ${JSON.stringify(params)}`);
  if (args['if-empty'] && (await countUsers(databaseUrl)) > 0) {
    log(`database ${target.host}${target.pathname} already holds users: not seeding (--if-empty)`);
    return;
  }
  log(`database ${target.host}${target.pathname}${args.reset ? ' (reset)' : ''}`);
  const seeded = await seedGraph({ databaseUrl, params, reset: args.reset, out, log });
  const timings = [...seeded.phases];
  if (args.reset) {
    // What Redis held describes the data just replaced: without this, mailboxes would keep showing posts that no
    // longer exist (a running stack rebuilds what is missing from PostgreSQL on first read).
    const redisUrl = args['redis-url'] ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    const prefix = args['redis-prefix'] ?? process.env.REDIS_PREFIX ?? 'fl';
    const deleted = await deletePrefix(redisUrl, prefix);
    log(`redis: deleted ${deleted} keys under "${prefix}:" (--reset)`);
  }
  if (args['api-url'] && args['admin-token']) {
    log(`warming mailboxes through ${args['api-url']}`);
    const seconds = await warmMailboxes({ apiUrl: args['api-url'], adminToken: args['admin-token'], log });
    timings.push({ name: 'warm', seconds });
  }

  const { credentials, rows, followers: summary } = seeded;
  const total = (performance.now() - started) / 1000;
  log('');
  log(`rows: users ${rows.users}, tokens ${rows.tokens}, follows ${rows.follows}, posts ${rows.posts}`);
  log(`followers: top-10 ${summary.top10.map((t) => `u${t.id}=${t.followers}`).join(' ')}`);
  log(`followers: p50 ${summary.p50}, p99 ${summary.p99}, max ${summary.max}, mean ${summary.mean.toFixed(1)}`);
  log(`celebrities (>= ${params.celebrityThreshold} followers): ${credentials.celebrities.length}`);
  log(`seconds: ${timings.map((t) => `${t.name} ${t.seconds.toFixed(2)}`).join(', ')}; total ${total.toFixed(2)}`);
  log(`credentials: ${out}`);
}

// Usage and data errors are the user's to fix: one line, no stack trace.
main().catch((error: unknown) => {
  console.error(`seed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
