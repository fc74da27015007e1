import tseslint from 'typescript-eslint';

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
);
