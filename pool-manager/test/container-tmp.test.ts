// A local container's temporary files live in its own folder (TMPDIR = <container>/tmp), not
// in the operator's TMPDIR: a sidecar killed with SIGKILL cannot remove its first-time-user
// template (`warmgate-template-<pid>-*`), and before, such folders stayed in the operator's
// temp folder. Now they go with the container's folder when the pool destroys it. Real
// agent processes, a real kill -9.
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { containerDirs, useTestPool, waitFor } from './support.js';

const pm = useTestPool(
  { WARMGATE_POOL_PROFILES: 'standard:min=1:max=2', WARMGATE_POOL_ADAPTIVE: 'false' },
  { warm: 1, noContainerDirs: true },
);

const templatesOf = (dir: string, pid: number) =>
  readdirSync(dir).filter((name) => name.startsWith(`warmgate-template-${pid}-`));

describe('a local container killed with SIGKILL', () => {
  it('leaves no template in the temp folder: it was in the container folder, removed with it', async () => {
    const { stateDir } = pm.sandbox;
    const [id] = containerDirs(stateDir);
    const dir = join(stateDir, id!);
    const pids = ['agent', 'sidecar'].map((role) =>
      Number(readFileSync(join(dir, `${role}.pid`), 'utf8')),
    );
    const sidecarPid = pids[1]!;
    expect(templatesOf(join(dir, 'tmp'), sidecarPid)).toHaveLength(1);
    expect(templatesOf(tmpdir(), sidecarPid)).toEqual([]);

    for (const pid of new Set(pids)) process.kill(pid, 'SIGKILL');
    await waitFor(
      'the killed container destroyed',
      async () => !containerDirs(stateDir).includes(id!),
      20_000,
    );
    expect(templatesOf(tmpdir(), sidecarPid)).toEqual([]);
  }, 60_000);
});
