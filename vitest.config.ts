import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// SWC compiles the TypeScript so NestJS gets decorator metadata; the `source` condition makes `#libs/*` resolve to
// the TypeScript sources instead of dist/.
const base = {
  plugins: [swc.vite({ module: { type: 'es6' } })],
  resolve: { conditions: ['source', 'node', 'import', 'default'] },
  ssr: { resolve: { conditions: ['source', 'node', 'import', 'default'] } },
};

export default defineConfig({
  ...base,
  test: {
    projects: [
      { ...base, test: { name: 'unit', include: ['{apps,libs,loadtest}/**/*.spec.ts'] } },
      {
        ...base,
        test: {
          name: 'int',
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
    ],
  },
});
