import { defineConfig } from 'vitest/config';

// One project per package, unit and integration kept apart:
//   unit:        <pkg>/src/**/*.test.ts   (no sockets, no child processes)
//   integration: <pkg>/test/**/*.test.ts  (real servers on ephemeral loopback ports)
const packages = ['proto', 'contract', 'telemetry', 'agent', 'pool-manager', 'gateway', 'loadtest'];

const resolve = { conditions: ['@warmgate/source'] };

export default defineConfig({
  test: {
    projects: packages.flatMap((name) => [
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
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ]),
    passWithNoTests: false,
  },
});
