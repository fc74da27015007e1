import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import pg from 'pg';
import { migrateDatabase } from '#libs/contract';
import { planGraph } from './graph.generate.js';
import { loadGraph, type Phase } from './graph.load.js';
import type { GraphParams } from './graph.params.js';
import { buildCredentials, followerSummary, type FollowerSummary, type GraphCredentials } from './graph.report.js';

export interface SeedOptions {
  databaseUrl: string;
  params: GraphParams;
  /** TRUNCATE the tables first (required when the database holds users). */
  reset: boolean;
  /** Credentials file to write. */
  out: string;
  log?: (line: string) => void;
}

export interface SeedResult {
  credentials: GraphCredentials;
  rows: { users: number; tokens: number; follows: number; posts: number };
  followers: FollowerSummary;
  phases: Phase[];
  seconds: number;
}

/** Migrates, loads the graph with COPY and writes the credentials file: the seeder CLI and the bench share this. */
export async function seedGraph(options: SeedOptions): Promise<SeedResult> {
  const log = options.log ?? (() => undefined);
  const phases: Phase[] = [];
  const started = performance.now();
  const timed = async <T>(name: string, run: () => Promise<T> | T): Promise<T> => {
    const t0 = performance.now();
    const result = await run();
    phases.push({ name, seconds: (performance.now() - t0) / 1000 });
    return result;
  };
  await timed('migrate', async () => log(`  ${await migrateDatabase(options.databaseUrl)}`));
  const plan = await timed('plan', () => planGraph(options.params));
  log(`plan: ${plan.params.users} users, ${plan.totalFollows} follows, ${plan.totalPosts} posts`);
  const loaded = await loadGraph(options.databaseUrl, plan, { reset: options.reset, log });
  phases.push(...loaded.phases);
  const credentials = buildCredentials(plan, loaded.followers, loaded.following);
  await timed('write', async () => {
    await mkdir(dirname(options.out), { recursive: true });
    await writeFile(options.out, JSON.stringify(credentials));
  });
  return {
    credentials,
    rows: loaded.rows,
    followers: followerSummary(loaded.followers),
    phases,
    seconds: (performance.now() - started) / 1000,
  };
}

/** Users in the database, 0 when it or its tables do not exist yet. */
export async function countUsers(databaseUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  try {
    await client.connect();
    const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM users');
    return Number(rows[0]!.n);
  } catch {
    return 0;
  } finally {
    await client.end().catch(() => undefined);
  }
}
