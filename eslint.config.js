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
    files: ['libs/config/**', 'scripts/**', 'test/**', 'prisma.config.ts', 'loadtest/**', '**/*.int-spec.ts'],
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
);
