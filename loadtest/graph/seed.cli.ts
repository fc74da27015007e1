import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureDatabase, migrate } from '../../libs/db/migrator.js';
import { planGraph } from './graph.generate.js';
import { loadGraph } from './graph.load.js';
import { defaultGraphParams, type GraphParams, validateGraphParams } from './graph.params.js';
import { buildCredentials, followerSummary } from './graph.report.js';
import { warmMailboxes } from './graph.warm.js';

// Compiled to dist/loadtest/graph/; migrations and the default output live under the project root.
const root = fileURLToPath(new URL('../../../', import.meta.url));

const USAGE = `Seeds a deterministic synthetic social graph with COPY and writes the load scripts' credentials.

  node dist/loadtest/graph/seed.cli.js [--reset] [options]

  --database-url URL        default $DATABASE_URL or postgresql://postgres@127.0.0.1:5432/fanout_lab_bench
                            (created and migrated if missing)
  --reset                   TRUNCATE users, follows, posts, tokens, outbox first (required if not empty)
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

  const timings: { name: string; seconds: number }[] = [];
  const timed = async <T>(name: string, run: () => Promise<T> | T): Promise<T> => {
    const started = performance.now();
    const result = await run();
    timings.push({ name, seconds: (performance.now() - started) / 1000 });
    return result;
  };
  const started = performance.now();

  const target = new URL(databaseUrl);
  log(`graph ${JSON.stringify(params)}`);
  log(`database ${target.host}${target.pathname}${args.reset ? ' (reset)' : ''}`);
  await timed('migrate', async () => {
    const created = await ensureDatabase(databaseUrl);
    const result = await migrate(databaseUrl, resolve(root, 'prisma/migrations'));
    log(`  ${created ? 'created database; ' : ''}${result.applied.length} migration(s) applied`);
  });
  const plan = await timed('plan', () => planGraph(params));
  log(`plan: ${plan.params.users} users, ${plan.totalFollows} follows, ${plan.totalPosts} posts`);
  const loaded = await loadGraph(databaseUrl, plan, { reset: args.reset, log });
  timings.push(...loaded.phases);

  const credentials = buildCredentials(plan, loaded.followers, loaded.following);
  await timed('write', async () => {
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, JSON.stringify(credentials));
  });

  if (args['api-url'] && args['admin-token']) {
    log(`warming mailboxes through ${args['api-url']}`);
    const seconds = await warmMailboxes({ apiUrl: args['api-url'], adminToken: args['admin-token'], log });
    timings.push({ name: 'warm', seconds });
  }

  const summary = followerSummary(loaded.followers);
  const total = (performance.now() - started) / 1000;
  log('');
  log(
    `rows: users ${loaded.rows.users}, tokens ${loaded.rows.tokens}, follows ${loaded.rows.follows}, posts ${loaded.rows.posts}`,
  );
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
