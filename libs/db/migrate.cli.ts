import { fileURLToPath } from 'node:url';
import { loadConfig } from '#libs/config';
import { ensureDatabase, migrate } from './migrator.js';

// Compiled to dist/libs/db/; the migrations stay in prisma/migrations at the project root.
const migrationsDir = fileURLToPath(new URL('../../../prisma/migrations', import.meta.url));

const config = loadConfig();
const created = await ensureDatabase(config.databaseUrl);
const result = await migrate(config.databaseUrl, migrationsDir);
const where = new URL(config.databaseUrl).pathname.slice(1);
console.log(
  `${created ? `created database ${where}; ` : ''}applied ${result.applied.length} migration(s)` +
    `${result.applied.length ? `: ${result.applied.join(', ')}` : ''}; ${result.alreadyApplied.length} already applied`,
);
