// WARMGATE_POOL_AGENT_EXTRA_NODE_ARGS reaches a local container's Node processes (the
// profile bench's --cpu-prof) after the default flags. It is the way in for them: the pool
// manager's own NODE_OPTIONS is not in a container's allow-listed environment
// (gateway/test/isolation/container-environ.test.ts). Real agent processes: each writes its
// CPU profile when the pool stops it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startPoolManager } from '../src/index.js';
import {
  containerDirs,
  makeSandbox,
  poolClient,
  stopTestPool,
  waitFor,
  warmCount,
  type TestPool,
} from './support.js';
import { makeTempDir, removeDir } from '@warmgate/testkit';

describe('container Node flags', () => {
  it('adds WARMGATE_POOL_AGENT_EXTRA_NODE_ARGS to both container processes', async () => {
    const profiles = makeTempDir('node-args');
    const started: Partial<TestPool> = {};
    try {
      started.sandbox = makeSandbox({
        WARMGATE_POOL_PROFILES: 'standard:min=1:max=1',
        WARMGATE_POOL_ADAPTIVE: 'false',
        WARMGATE_POOL_AGENT_EXTRA_NODE_ARGS: `--cpu-prof --cpu-prof-dir=${profiles}`,
      });
      started.pool = await startPoolManager(started.sandbox.config());
      const client = (started.client = poolClient(started.pool.address));
      await waitFor('a warm container', async () => (await warmCount(client)) >= 1, 40_000);
      const [id] = containerDirs(started.sandbox.stateDir);
      const pids = ['agent', 'sidecar'].map((role) =>
        Number(readFileSync(join(started.sandbox!.stateDir, id!, `${role}.pid`), 'utf8')),
      );
      for (const pid of pids) {
        const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        expect(argv).toEqual(
          expect.arrayContaining([
            '--max-semi-space-size=1',
            '--cpu-prof',
            `--cpu-prof-dir=${profiles}`,
          ]),
        );
        expect(argv.indexOf('--cpu-prof')).toBeGreaterThan(argv.indexOf('--max-semi-space-size=1'));
      }
      await stopTestPool(started);
      started.sandbox = undefined;
      // Each process wrote its profile as it exited: CPU.<date>.<time>.<pid>.<thread>.<n>.cpuprofile.
      const written = readdirSync(profiles).map((name) => Number(name.split('.')[3]));
      expect(written.sort()).toEqual([...pids].sort());
    } finally {
      if (started.sandbox) await stopTestPool(started);
      removeDir(profiles);
    }
  }, 90_000);
});
