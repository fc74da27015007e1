import { fileURLToPath } from 'node:url';
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// SWC compiles the TypeScript so NestJS gets decorator metadata; `#libs/*` resolves to the TypeScript sources
// (package.json maps it to dist/ for node, and to the sources for tsc through the `source` condition).
const libs = fileURLToPath(new URL('./libs/', import.meta.url));
const base = {
  plugins: [swc.vite({ module: { type: 'es6' } })],
  resolve: { alias: [{ find: /^#libs\/(.*)$/, replacement: `${libs}$1/index.ts` }] },
};

export default defineConfig({
  ...base,
  test: {
    // `npm run test:coverage`: how much of libs/ the unit and integration tiers reach without the end-to-end tests.
    coverage: {
      provider: 'v8',
      include: ['libs/**'],
      exclude: ['libs/db/generated/**', '**/*.spec.ts', '**/*.int-spec.ts'],
    },
    projects: [
      {
        ...base,
        test: { name: 'unit', include: ['{apps,libs,loadtest}/**/*.spec.ts', 'test/architecture/**/*.spec.ts'] },
      },
      {
        ...base,
        test: {
          name: 'int',
          // One module graph for every file (they run one after another): Nest, BullMQ and the Prisma client load once
          // instead of once per file, which took most of the tier's time. Each file still starts its own Nest app and
          // Redis prefix, and closes them.
          isolate: false,
          include: ['{apps,libs}/**/*.int-spec.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
      {
        ...base,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.e2e-spec.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        ...base,
        test: {
          // The tests that hold the product to its invariant, again on a local Redis Cluster (3 masters, 3 replicas):
          // the same files, pointed at the cluster by test-config.ts.
          name: 'e2e-cluster',
          include: [
            'test/e2e/timeline-invariant.e2e-spec.ts',
            'test/e2e/scripted-client.e2e-spec.ts',
            'test/e2e/worker-kill.e2e-spec.ts',
          ],
          globalSetup: ['test/support/global-setup.ts', 'test/support/cluster-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
