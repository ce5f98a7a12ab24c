// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      'proto/src/gen/**',
      'bench-results/**',
      '.warmgate/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-console': 'off',
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    // STYLE.md rule 2: the cores import no I/O library.
    files: ['gateway/src/core/**/*.ts', 'pool-manager/src/pool/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            'uWebSockets.js',
            '@grpc/grpc-js',
            '@kubernetes/client-node',
            'node:net',
            'node:http',
            'node:child_process',
            'node:fs',
            'node:fs/promises',
          ],
          patterns: ['**/transport/**', '**/runtime/**'],
        },
      ],
    },
  },
  {
    files: ['**/web/**/*.js'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
