import { fileURLToPath } from 'node:url';

/** The project root, from dist/loadtest/ (compiled) or loadtest/ (the sources, under vitest). */
export const PROJECT_ROOT = fileURLToPath(
  new URL(import.meta.url.includes('/dist/') ? '../../' : '../', import.meta.url),
);
