// `prisma generate` only needs the schema engine path to exist: the client it writes runs without native
// engines (prisma-client generator + @prisma/adapter-pg). Offline machines cannot download the engine, so point
// the variable at any existing file unless the caller already set it.
import { spawnSync } from 'node:child_process';

const env = { ...process.env };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= process.execPath;
env.PRISMA_HIDE_UPDATE_MESSAGE = '1';
const result = spawnSync('npx', ['prisma', 'generate'], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
