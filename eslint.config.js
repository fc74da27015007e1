import tseslint from 'typescript-eslint';

// Layering, enforced: what each folder may import. A violation fails `npm run lint`, and so `npm test` and CI.
const NO_IO = 'Controllers never touch I/O: call a service from libs/ (README, Code layout).';
const DATA_ACCESS = {
  paths: ['#libs/db', '#libs/redis', 'ioredis', 'pg', 'bullmq'].map((name) => ({ name, message: NO_IO })),
  patterns: [{ group: ['@prisma/*'], message: NO_IO }],
};
const APPS = { group: ['**/apps/**'], message: 'Libraries never import apps: apps wire libraries, not the reverse.' };

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'libs/db/generated/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read configuration through AppConfig (libs/config).' },
      ],
    },
  },
  {
    files: [
      'libs/config/**',
      'scripts/**',
      'test/**',
      'prisma.config.ts',
      'loadtest/**',
      '**/*.int-spec.ts',
      // Spawns the product's processes with PATH of its own environment and nothing else of it.
      'libs/contract/service.process.ts',
    ],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['apps/**/*.controller.ts', 'apps/api/src/timeline.route.ts'],
    rules: { 'no-restricted-imports': ['error', DATA_ACCESS] },
  },
  {
    files: ['libs/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [APPS] }] },
  },
  {
    // The load suite sees the product only through its contract, as any outside tool would: a library's internals can
    // change (or drag Nest and Prisma into a load generator) without the load suite noticing otherwise.
    files: ['loadtest/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^#libs/(?!contract$)',
              message: 'loadtest/ imports the product only through #libs/contract.',
            },
            {
              regex: '^\\.\\.?/(?:.*/)?(?:libs|apps)(?:/|$)',
              message: 'loadtest/ imports the product only through #libs/contract, never by relative path.',
            },
          ],
        },
      ],
    },
  },
  {
    // The contract is what outside tools load: no framework, database client or queue library may come with it, and
    // no product library (they import the contract, not the other way round). contract.spec.ts checks the same
    // transitively, through the product files the contract re-exports.
    files: ['libs/contract/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@nestjs/*', '@prisma/*', 'bullmq', 'bullmq/*', 'pg', 'pg/*'],
              message:
                'libs/contract stays Nest-free: zod, hdr-histogram-js, ioredis, node built-ins and its own files.',
            },
            {
              // A regex: in the gitignore syntax of `group`, a leading # starts a comment.
              regex: '^#libs/',
              message: 'libs/contract imports no product library: they import it.',
            },
            APPS,
          ],
        },
      ],
    },
  },
);
