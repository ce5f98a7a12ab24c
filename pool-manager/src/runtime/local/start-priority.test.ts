// A replacement's session really runs at the lower weight and comes back: a real detached
// process (its own session, hence its own autogroup), read back from /proc.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createStartPriority } from './start-priority.js';

const autogroups = (() => {
  try {
    return readFileSync('/proc/sys/kernel/sched_autogroup_enabled', 'utf8').trim() === '1';
  } catch {
    return false;
  }
})();

describe('start priority', () => {
  it.runIf(autogroups)('lowers a session to the nice value given and back to 0', async () => {
    const child = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    try {
      await new Promise((resolve) => child.once('spawn', resolve));
      const pid = child.pid!;
      const priority = createStartPriority(10, () => {})!;
      const nice = () => readFileSync(`/proc/${pid}/autogroup`, 'utf8').trim().split(' nice ')[1];
      priority.background(pid);
      expect(nice()).toBe('10');
      priority.normal(pid);
      expect(nice()).toBe('0');
      priority.normal(999_999_999); // gone: quiet
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('is off at nice 0, and says so when the kernel has no autogroups', () => {
    const proc = mkdtempSync(join(tmpdir(), 'warmgate-proc-'));
    try {
      expect(createStartPriority(0, () => {}, proc)).toBeUndefined();
      mkdirSync(join(proc, 'sys', 'kernel'), { recursive: true });
      writeFileSync(join(proc, 'sys', 'kernel', 'sched_autogroup_enabled'), '0\n');
      const said: string[] = [];
      expect(createStartPriority(10, (m) => said.push(m), proc)).toBeUndefined();
      expect(said.join()).toMatch(/WARMGATE_POOL_REPLENISH_NICE.*autogroups/);
    } finally {
      rmSync(proc, { recursive: true, force: true });
    }
  });
});
