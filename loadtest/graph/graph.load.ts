import { createHash } from 'node:crypto';
import pg from 'pg';
import { chunks, copyBytea, copyInto, copyText } from './graph.copy.js';
import { generateFollows, generatePosts, generateTokens, type GraphPlan } from './graph.generate.js';
import { duration, PROGRESS_EVERY_MS, ProgressMeter } from '../progress/progress.meter.js';

export interface Phase {
  name: string;
  seconds: number;
  rows?: number;
}

export interface LoadOptions {
  /** TRUNCATE users, follows, posts, tokens and outbox first. Without it the tables must be empty. */
  reset: boolean;
  log?: (line: string) => void;
}

export interface LoadResult {
  phases: Phase[];
  rows: { users: number; tokens: number; follows: number; posts: number };
  /** Per user (index = id - 1), read back from the users table after the counts were set. */
  followers: Int32Array;
  following: Int32Array;
}

const DAY_MS = 86_400_000;
/** Phases with a progress meter of their own (rows copied, out of the plan's). */
const METERED = new Set(['follows', 'posts']);

/**
 * Bulk-loads the graph with COPY in a single transaction: a failed load leaves the database as it was, and
 * because the tables are truncated in the same transaction, COPY … FREEZE writes rows already frozen and
 * all-visible (no hint-bit rewrites or anti-wraparound vacuum later, and index-only scans work at once).
 */
export async function loadGraph(databaseUrl: string, plan: GraphPlan, options: LoadOptions): Promise<LoadResult> {
  const log = options.log ?? (() => undefined);
  const phases: Phase[] = [];
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const phase = async <T>(name: string, run: () => Promise<T>, rowsOf?: (r: T) => number): Promise<T> => {
    const started = performance.now();
    // One SQL statement gives no counts to show: while it runs, a line every few seconds says it still does.
    const beat = METERED.has(name)
      ? undefined
      : setInterval(
          () => log(`  ${name.padEnd(10)} still running after ${duration((performance.now() - started) / 1000)}`),
          PROGRESS_EVERY_MS,
        );
    const result = await run().finally(() => clearInterval(beat));
    const seconds = (performance.now() - started) / 1000;
    const rows = rowsOf?.(result);
    phases.push({ name, seconds, ...(rows === undefined ? {} : { rows }) });
    log(`  ${name.padEnd(10)} ${seconds.toFixed(2).padStart(8)} s${rows === undefined ? '' : `  ${rows} rows`}`);
    return result;
  };
  try {
    await client.query('BEGIN');
    const deferredChecks = await skipRowTriggers(client);
    log(`  foreign keys: ${deferredChecks ? 'checked once after the load (per-row triggers off)' : 'checked per row'}`);
    await phase('reset', () => truncate(client, options.reset));
    const { users } = plan.params;
    const userRows = await phase(
      'users',
      () => copyUsers(client, plan),
      (n) => n,
    );
    // Explicit ids bypassed the sequence; move it past them so users created through the API get new ids.
    await client.query(`SELECT setval(pg_get_serial_sequence('users', 'id'), $1)`, [users]);
    const tokenRows = await phase(
      'tokens',
      () => copyTokens(client, plan),
      (n) => n,
    );
    const followRows = await phase(
      'follows',
      () => copyFollows(client, plan, log),
      (n) => n,
    );
    const postRows = await phase(
      'posts',
      () => copyPosts(client, plan, log),
      (n) => n,
    );
    if (deferredChecks) await phase('verify', () => verifyReferences(client, users));
    await phase(
      'counts',
      () => setCounts(client),
      (n) => n,
    );
    await phase('commit', () => client.query('COMMIT'));
    await phase('analyze', () => client.query('VACUUM (ANALYZE) users, follows, posts, tokens'));
    const { followers, following } = await readCounts(client, users);
    return {
      phases,
      rows: { users: userRows, tokens: tokenRows, follows: followRows, posts: postRows },
      followers,
      following,
    };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}

const LOADED_TABLES = ['users', 'follows', 'posts', 'tokens'];

/**
 * Per-row foreign-key triggers cost about three quarters of the COPY time (two lookups and a row lock on users
 * per follow). The generator cannot produce a dangling id, so when allowed (superuser, as on the benchmark
 * database) the session skips them and verifyReferences proves the same thing with one scan per table. If
 * the tables carry triggers of their own (product logic), they must fire, so the per-row path is kept.
 */
async function skipRowTriggers(client: pg.Client): Promise<boolean> {
  const { rows } = await client.query<{ superuser: boolean; own: number }>(
    `SELECT current_setting('is_superuser') = 'on' AS superuser,
            (SELECT count(*)::int FROM pg_trigger WHERE NOT tgisinternal AND tgrelid::regclass::text = ANY ($1)) AS own`,
    [LOADED_TABLES],
  );
  if (!rows[0]?.superuser || rows[0].own > 0) return false;
  await client.query('SET LOCAL session_replication_role = replica'); // ends with the transaction
  return true;
}

/** Users are exactly ids 1..users (primary key, table truncated first), so a reference is valid iff in range. */
async function verifyReferences(client: pg.Client, users: number): Promise<void> {
  const { rows } = await client.query<{ dangling: string }>(
    `SELECT (SELECT count(*) FROM users WHERE id NOT BETWEEN 1 AND $1)
          + (SELECT count(*) FROM follows WHERE follower_id NOT BETWEEN 1 AND $1 OR followee_id NOT BETWEEN 1 AND $1)
          + (SELECT count(*) FROM posts WHERE author_id NOT BETWEEN 1 AND $1)
          + (SELECT count(*) FROM tokens WHERE user_id NOT BETWEEN 1 AND $1) AS dangling`,
    [users],
  );
  if (rows[0]?.dangling !== '0') throw new Error(`${rows[0]?.dangling} rows reference missing users; rolled back`);
}

async function truncate(client: pg.Client, reset: boolean): Promise<void> {
  if (reset) {
    await client.query('TRUNCATE users, follows, posts, tokens, outbox RESTART IDENTITY CASCADE');
    return;
  }
  const { rows } = await client.query<{ busy: boolean }>(
    'SELECT EXISTS (SELECT 1 FROM users) OR EXISTS (SELECT 1 FROM follows) OR EXISTS (SELECT 1 FROM posts) AS busy',
  );
  if (rows[0]?.busy)
    throw new Error('The database already holds users, follows or posts; pass --reset to replace them.');
  // Empty already, so this loses nothing; it only lets COPY FREEZE apply. Outbox rows are left alone.
  await client.query('TRUNCATE users, follows, posts, tokens');
}

function copyUsers(client: pg.Client, plan: GraphPlan): Promise<number> {
  // Accounts "joined" when the post history starts, so no profile is younger than its posts.
  const joined = new Date(Date.parse(plan.params.endAt) - plan.params.historyDays * DAY_MS).toISOString();
  const ids = (function* () {
    for (let id = 1; id <= plan.params.users; id++) yield id;
  })();
  return copyInto(
    client,
    'COPY users (id, handle, display_name, created_at) FROM STDIN WITH (FREEZE)',
    chunks(ids, (id, push) => push(`${id}\tu${id}\tUser ${id}\t${joined}\n`)),
  );
}

function copyTokens(client: pg.Client, plan: GraphPlan): Promise<number> {
  let id = 0;
  return copyInto(
    client,
    'COPY tokens (user_id, token_hash) FROM STDIN WITH (FREEZE)',
    chunks(generateTokens(plan.params), (token, push) =>
      push(`${++id}\t${copyBytea(createHash('sha256').update(token).digest())}\n`),
    ),
  );
}

function copyFollows(client: pg.Client, plan: GraphPlan, log: (line: string) => void): Promise<number> {
  // At 100k users this phase runs for minutes: a progress line every few seconds (none for a short load). Rows are
  // counted as they are sent; PostgreSQL is a few seconds behind (buffers), so the time left reads a little short.
  const meter = new ProgressMeter('    follows', plan.totalFollows, 'rows sent', log);
  let done = 0;
  return copyInto(
    client,
    'COPY follows (follower_id, followee_id) FROM STDIN WITH (FREEZE)',
    chunks(generateFollows(plan), (row, push) => {
      const prefix = `${row.followerId}\t`;
      for (const followee of row.followeeIds) push(`${prefix}${followee}\n`);
      meter.update((done += row.followeeIds.length));
    }),
  );
}

function copyPosts(client: pg.Client, plan: GraphPlan, log: (line: string) => void): Promise<number> {
  const meter = new ProgressMeter('    posts', plan.totalPosts, 'rows sent', log);
  let done = 0;
  return copyInto(
    client,
    'COPY posts (id, author_id, body, created_at) FROM STDIN WITH (FREEZE)',
    chunks(generatePosts(plan), (p, push) => {
      push(`${p.id}\t${p.authorId}\t${copyText(p.body)}\t${new Date(p.createdAtMs).toISOString()}\n`);
      meter.update(++done);
    }),
  );
}

/** The denormalized counters, from the loaded rows in one set-based pass (not trusted from the generator). */
async function setCounts(client: pg.Client): Promise<number> {
  const { rowCount } = await client.query(`
    UPDATE users u
       SET followers_count = coalesce(fr.n, 0), following_count = coalesce(fg.n, 0), posts_count = coalesce(p.n, 0)
      FROM users x
      LEFT JOIN (SELECT followee_id AS id, count(*)::int AS n FROM follows GROUP BY followee_id) fr ON fr.id = x.id
      LEFT JOIN (SELECT follower_id AS id, count(*)::int AS n FROM follows GROUP BY follower_id) fg ON fg.id = x.id
      LEFT JOIN (SELECT author_id AS id, count(*)::int AS n FROM posts WHERE deleted_at IS NULL GROUP BY author_id) p
             ON p.id = x.id
     WHERE u.id = x.id`);
  return rowCount ?? 0;
}

async function readCounts(client: pg.Client, users: number): Promise<{ followers: Int32Array; following: Int32Array }> {
  const followers = new Int32Array(users);
  const following = new Int32Array(users);
  const { rows } = await client.query<{ id: string; followers_count: number; following_count: number }>(
    'SELECT id, followers_count, following_count FROM users WHERE id BETWEEN 1 AND $1',
    [users],
  );
  for (const r of rows) {
    followers[Number(r.id) - 1] = r.followers_count;
    following[Number(r.id) - 1] = r.following_count;
  }
  return { followers, following };
}
