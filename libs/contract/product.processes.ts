import type { ProcessRole } from './metrics.series.js';
import { runScript, startService, type Service } from './service.process.js';

// How the product's processes are started, as the README starts them: its built entry points and the line each prints
// once it serves. The bench and the end-to-end tests start the product only through these, so a moved entry point or a
// reworded ready line is changed here once.

const ENTRY_POINTS: Record<ProcessRole, { script: string; ready: RegExp }> = {
  api: { script: 'dist/apps/api/src/main.js', ready: /listening on/ },
  worker: { script: 'dist/apps/worker/src/main.js', ready: /worker running/ },
};

/** The migration runner (`npm run db:migrate`): creates the database if needed and applies prisma/migrations. */
const MIGRATE_SCRIPT = 'dist/libs/db/migrate.cli.js';

export interface ProductOptions {
  /** Appends the process's output here as well. */
  logFile?: string;
  readyTimeoutMs?: number;
  /** Options for Node itself (`--cpu-prof`: the bench's --cpu-profile). */
  nodeArgs?: string[];
}

/** Starts the built API or worker (`npm run build` first) with `env` and waits until it serves. */
export function startProduct(
  role: ProcessRole,
  env: Record<string, string>,
  options: ProductOptions = {},
): Promise<Service> {
  const { script, ready } = ENTRY_POINTS[role];
  return startService({ name: role, script, env, ready, ...options });
}

/** Migrates the database at `databaseUrl` with the product's own runner; returns what the runner said it did. */
export function migrateDatabase(databaseUrl: string): Promise<string> {
  return runScript(MIGRATE_SCRIPT, { DATABASE_URL: databaseUrl });
}
