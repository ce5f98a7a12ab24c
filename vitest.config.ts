import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// One project per package, unit and integration kept apart:
//   unit:        <pkg>/src/**/*.test.ts   (no sockets, no child processes)
//   integration: <pkg>/test/**/*.test.ts  (real servers on ephemeral loopback ports)
const packages = [
  'proto',
  'contract',
  'telemetry',
  'testkit',
  'agent',
  'pool-manager',
  'gateway',
  'loadtest',
];
// Libraries with unit tests only.
const libraries = ['config'];

const resolve = { conditions: ['@warmgate/source'] };
// After every integration test file, and at its worker's exit, the processes and containers it
// started and left alive (a timed-out test skips its own clean-up) are killed.
const setupFiles = [fileURLToPath(new URL('./testkit/test/leftovers.setup.ts', import.meta.url))];

export default defineConfig({
  test: {
    projects: [
      ...libraries.map((name) => ({
        resolve,
        test: {
          name: `${name}:unit`,
          root: name,
          include: ['src/**/*.test.ts'],
          environment: 'node' as const,
        },
      })),
      ...packages.flatMap((name) => [
        {
          resolve,
          test: {
            name: `${name}:unit`,
            root: name,
            include: ['src/**/*.test.ts'],
            environment: 'node',
          },
        },
        {
          resolve,
          test: {
            name: `${name}:integration`,
            root: name,
            include: ['test/**/*.test.ts'],
            environment: 'node',
            setupFiles,
            testTimeout: 30_000,
            hookTimeout: 60_000,
          },
        },
      ]),
      // The Python reference agent: driven from TypeScript by the official MCP client.
      {
        resolve,
        test: {
          name: 'agent-py:integration',
          root: 'agent-py',
          include: ['test/**/*.test.ts'],
          environment: 'node',
          setupFiles,
          testTimeout: 60_000,
          hookTimeout: 360_000,
        },
      },
    ],
    passWithNoTests: false,
  },
});
