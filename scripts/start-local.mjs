#!/usr/bin/env node
// `npm start`: one command from a clean clone to a running stack on the local PostgreSQL and Redis. It builds when
// dist/ is missing or older than the sources, migrates with the project's own runner, starts the API and one worker as
// child processes, seeds a small demo graph when the database holds no users yet, and prints a timeline curl with a
// seeded user's token. SIGINT and SIGTERM stop the children with SIGTERM; it exits once they have.
//
// Plain JavaScript because it runs before anything is compiled. After the build it takes the configuration from
// libs/config (validated, as the API and worker validate it) and starts processes through libs/contract, as the bench
// and the tests do. The only use of process.env here is handing it on to the children unchanged: each of them
// validates it with libs/config, and what the launcher itself needs it takes from that same validated config.
// package.json runs it with `exec`, so a SIGTERM to npm reaches it (npm signals its shell, which would not pass it on).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import pg from 'pg';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const USAGE = `Builds if needed, migrates, starts the API and a worker, and seeds a demo graph on first start.

  npm start [-- --users N] [-- --no-build]

  --users N     users of the demo graph seeded into an empty database (500)
  --no-build    run dist/ as it is, even when sources are newer
Settings come from the environment, as for the API and the worker (README, Configuration).
`;

/** Outputs every step needs; the oldest of them is the build's age. */
const BUILT = [
  'apps/api/src/main.js',
  'apps/worker/src/main.js',
  'libs/db/migrate.cli.js',
  'loadtest/graph/seed.cli.js',
];
const BUILD_INPUTS = ['package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'prisma/schema.prisma'];
const SKIP_DIRS = new Set(['node_modules', 'generated', 'out']);

let stopping = false;
/** The build's child while it runs (libs/contract tracks the others once it is loaded). */
let builder;
let contract;

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) newest = Math.max(newest, newestSource(path));
    } else if (entry.name.endsWith('.ts') && !/\.(int-)?spec\.ts$/.test(entry.name)) {
      newest = Math.max(newest, statSync(path).mtimeMs);
    }
  }
  return newest;
}

/** Why dist/ must be built, or null when it is newer than every source that goes into it. */
function buildReason() {
  const outputs = BUILT.map((file) => join(ROOT, 'dist', file));
  if (!outputs.every((file) => existsSync(file))) return 'dist/ is missing';
  const built = Math.min(...outputs.map((file) => statSync(file).mtimeMs));
  const inputs = Math.max(
    ...['apps', 'libs', 'loadtest'].map((dir) => newestSource(join(ROOT, dir))),
    ...BUILD_INPUTS.map((file) => statSync(join(ROOT, file)).mtimeMs),
  );
  return inputs > built ? 'sources changed since the last build' : null;
}

function build() {
  return new Promise((resolve, reject) => {
    builder = spawn('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
    builder.once('error', reject);
    builder.once('exit', (code) => {
      builder = undefined;
      if (code === 0) resolve();
      else reject(new Error(`npm run build failed (exit ${code})`));
    });
  });
}

/** Fails with a message a newcomer can act on when the server does not answer (or refuses us) within 3 s. */
async function checkPostgres(databaseUrl) {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 3000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    // 3D000: the database does not exist yet; the server is there and the migration runner creates it.
    if (error.code !== '3D000') {
      const where = new URL(databaseUrl).host;
      // pg reports its own connect timeout as a terminated connection.
      const why = /terminated|timeout/i.test(error.message) ? 'no answer within 3 s' : error.message;
      throw new Error(`cannot connect to PostgreSQL at ${where} (${why}). Start it or set DATABASE_URL.`);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function checkRedis(redisUrl) {
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  // The connection's own error (ECONNREFUSED, ETIMEDOUT) says more than the "Connection is closed." that follows it.
  let cause;
  redis.on('error', (error) => (cause ??= error));
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    const where = new URL(redisUrl).host;
    const why = (cause ?? error).message;
    throw new Error(`cannot connect to Redis at ${where} (${why}). Start it or set REDIS_URL.`);
  } finally {
    redis.disconnect();
  }
}

async function countUsers(databaseUrl) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return Number((await client.query('SELECT count(*) AS n FROM users')).rows[0].n);
  } finally {
    await client.end();
  }
}

/** The seeded user who follows the most accounts (the fullest timeline), if the credentials file still fits. */
async function demoUser(api, credentialsFile) {
  if (!existsSync(credentialsFile)) return null;
  const { users } = JSON.parse(readFileSync(credentialsFile, 'utf8'));
  if (!users.length) return null;
  const user = users.reduce((best, u) => (u.following > best.following ? u : best));
  // The file outlives the database it describes (a dropped or reseeded database): a stale token answers 401.
  const page = await api.call('GET', '/v1/me/timeline?limit=5', { token: user.token });
  return page.status === 200 ? user : null;
}

async function stop(signal) {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping the API and the worker`);
  builder?.kill('SIGTERM');
  await contract?.stopAllServices();
  process.exit(0);
}

async function main() {
  const { values: args } = parseArgs({
    options: {
      users: { type: 'string', default: '500' },
      build: { type: 'boolean', default: true },
      help: { type: 'boolean', default: false },
    },
    allowNegative: true,
  });
  if (args.help) return void process.stdout.write(USAGE);
  const reason = args.build ? buildReason() : null;
  if (reason) {
    console.log(`${reason}: building (npm run build)`);
    await build();
  }

  const dist = (path) => import(pathToFileURL(join(ROOT, 'dist', path)).href);
  const { loadConfig, ConfigError } = await dist('libs/config/index.js');
  contract = await dist('libs/contract/index.js');
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(2);
  }
  await checkPostgres(config.databaseUrl);
  await checkRedis(config.redisUrl);

  console.log(`migrate: ${await contract.migrateDatabase(config.databaseUrl)}`);
  // Handed on unchanged (see the top): the children validate it.
  const env = Object.fromEntries(Object.entries(process.env).filter(([, value]) => value !== undefined));
  const database = decodeURIComponent(new URL(config.databaseUrl).pathname.slice(1));
  const logFile = join(ROOT, 'loadtest/out', `start-${database}.log`);
  const options = { logFile, readyTimeoutMs: 60_000 };
  const api = await contract.startProduct('api', env, options);
  const worker = await contract.startProduct('worker', env, options);
  for (const [name, service] of Object.entries({ api, worker })) {
    service.child.once('exit', (code, signal) => {
      if (stopping) return;
      stopping = true;
      console.error(`the ${name} exited (${signal ?? code}); its last output:\n${service.output().slice(-4000)}`);
      void contract.stopAllServices().then(() => process.exit(1));
    });
  }

  // 0.0.0.0 and :: are where the API listens, not an address to call.
  const host = ['0.0.0.0', '::'].includes(config.host) ? '127.0.0.1' : config.host;
  const base = `http://${host.includes(':') ? `[${host}]` : host}:${config.port}`;
  const credentialsFile = join(ROOT, 'loadtest/out', `start-${database}.json`);
  if ((await countUsers(config.databaseUrl)) === 0) {
    console.log(`seed: first start (no users yet): ${args.users} users, their follows and posts, mailboxes warmed`);
    const seeded = await contract.runScript('dist/loadtest/graph/seed.cli.js', env, [
      ...['--if-empty', '--users', args.users, '--database-url', config.databaseUrl, '--out', credentialsFile],
      ...['--api-url', base, '--admin-token', config.adminToken],
    ]);
    // The summary; the seeder's progress lines are for the bench's long runs.
    for (const line of seeded.split('\n').filter((l) => /^(rows|seconds):/.test(l))) console.log(`seed: ${line}`);
  } else {
    console.log('seed: the database already holds users: not seeding');
  }

  const user = await demoUser(new contract.ApiClient(base), credentialsFile);
  const show = (path) => relative(process.cwd(), path) || '.';
  console.log(`
fanout-lab is running: api pid ${api.child.pid}, worker pid ${worker.child.pid}; logs in ${show(logFile)}

  API        ${base}
  docs       ${base}/docs
  readiness  ${base}/health/ready
  metrics    ${base}/metrics
`);
  if (user) {
    console.log(`The home timeline of user ${user.id}, who follows ${user.following} accounts (every seeded user's token
is in ${show(credentialsFile)}):

curl -s "${base}/v1/me/timeline?limit=5" -H "Authorization: Bearer ${user.token}"
`);
  } else {
    console.log(`The database held users that ${show(credentialsFile)} does not describe, so no token is known: create a
user (README, "The API") or seed again with --reset (README, "Running without Docker").
`);
  }
  if (config.adminTokenIsDefault) console.log('ADMIN_TOKEN is not set: the admin calls take "local-admin-token".');
  console.log('Ctrl-C stops the API and the worker.');
}

process.on('SIGINT', (signal) => void stop(signal));
process.on('SIGTERM', (signal) => void stop(signal));
main().catch((error) => {
  // A start interrupted by a signal fails its pending step: stop() reports and exits instead.
  if (stopping) return;
  console.error(`npm start: ${error.message}`);
  void (contract?.stopAllServices() ?? Promise.resolve()).then(() => process.exit(1));
});
