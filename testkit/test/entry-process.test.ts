// The harness itself, against real child processes: ready lines, the SIGTERM → SIGKILL bound,
// and the /proc scan that finds container processes left behind.
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { containerLeaderPids, containerPids, killContainers } from '../src/container-processes.js';
import { spawnEntry } from '../src/entry-process.js';
import { killLeftovers, reopenLeftovers, trackChild } from '../src/leftovers.js';
import { makeTempDir, removeDir } from '../src/temp-dir.js';
import { waitFor } from '../src/wait-for.js';

let dir: string;
let entry: string;

beforeAll(() => {
  dir = makeTempDir('testkit');
  entry = join(dir, 'entry.mjs');
  // Prints noise, then its ready line; on SIGTERM exits 0 unless told to ignore it.
  writeFileSync(
    entry,
    `
    const mode = process.argv[2];
    console.log('starting…');
    console.error('a line on stderr');
    if (mode === 'crash') process.exit(3);
    if (mode === 'stubborn') process.on('SIGTERM', () => console.log('ignoring SIGTERM'));
    else process.on('SIGTERM', () => process.exit(0));
    if (mode !== 'silent') console.log(JSON.stringify({ ready: true, port: 1234, mode }));
    setInterval(() => {}, 1000);
    `,
  );
});

// A failed assertion skips a test's own stop: whatever it started dies here.
afterEach(() => {
  killLeftovers();
});
afterAll(() => removeDir(dir));

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('spawnEntry', () => {
  it('resolves on the ready line and stops with SIGTERM', async () => {
    const child = await spawnEntry<{ port: number; mode: string }>(entry, { args: ['normal'] });
    expect(child.ready.port).toBe(1234);
    expect(child.alive()).toBe(true);
    expect(child.output()).toContain('starting…');
    // stderr is another pipe: its line may arrive after the ready line on stdout.
    await waitFor('the stderr line in output()', () => child.output().includes('a line on stderr'));
    expect(await child.stop()).toBe(0);
    expect(child.alive()).toBe(false);
  });

  it('SIGKILLs a process that ignores SIGTERM after the grace', async () => {
    const child = await spawnEntry(entry, { args: ['stubborn'] });
    const started = Date.now();
    expect(await child.stop(300)).toBeNull();
    expect(child.child.signalCode).toBe('SIGKILL');
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('fails with the output when the process exits before it is ready', async () => {
    await expect(spawnEntry(entry, { args: ['crash'], name: 'crasher' })).rejects.toThrow(
      /crasher exited \(3\) before it was ready:[\s\S]*starting…/,
    );
  });

  it('kills a process that is not ready in time', async () => {
    await expect(
      spawnEntry(entry, { args: ['silent'], readyTimeoutMs: 300, name: 'sleeper' }),
    ).rejects.toThrow(/sleeper was not ready within 300 ms/);
  });
});

describe('container processes', () => {
  it('finds processes by their workspace dir and kills their process groups', async () => {
    const workspace = join(dir, 'containers', 'c1', 'workspace');
    mkdirSync(workspace, { recursive: true });
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
      env: { ...process.env, WARMGATE_WORKSPACE_DIR: workspace },
      detached: true,
      stdio: 'ignore',
    });
    trackChild(child);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await waitFor('the process to be visible', () => containerPids(dir).includes(child.pid!));
    expect(containerPids(join(dir, 'elsewhere'))).toEqual([]);
    // The local runtime's pid files name the leaders; a stale one (pid 1) is not ours.
    const stateDir = join(dir, 'containers');
    writeFileSync(join(stateDir, 'c1', 'agent.pid'), String(child.pid));
    mkdirSync(join(stateDir, 'c2'));
    writeFileSync(join(stateDir, 'c2', 'agent.pid'), '1');
    expect(containerLeaderPids(stateDir)).toEqual([child.pid]);
    expect(killContainers(dir)).toBe(1);
    await exited;
    expect(containerPids(dir)).toEqual([]);
  });
});

describe('leftovers', () => {
  it('kills what a test left running, its process group included, and later spawns at once', async () => {
    // A detached child with a grandchild in its group, as an agent with its git children.
    const leader = spawn(
      process.execPath,
      [
        '-e',
        `require('child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
         console.log('ready'); setInterval(() => {}, 1000);`,
      ],
      { detached: true, stdio: ['ignore', 'pipe', 'ignore'] },
    );
    trackChild(leader);
    await new Promise((resolve) => leader.stdout!.once('data', resolve));
    const exited = new Promise((resolve) => leader.once('exit', resolve));
    const group = () =>
      readdirSync('/proc')
        .filter((entry) => /^\d+$/.test(entry))
        .filter((pid) => {
          try {
            return (
              readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[2] ===
              String(leader.pid)
            );
          } catch {
            return false;
          }
        });
    await waitFor('the grandchild to start', () => group().length === 2);
    expect(killLeftovers({ close: true })).toBe(1);
    await exited;
    await waitFor('the whole group to be gone', () => group().length === 0);

    // Closed: a child a timed-out test body starts afterwards dies at once.
    const late = await spawnEntry(entry, { args: ['normal'] }).catch((error: Error) => error);
    reopenLeftovers();
    expect(late).toBeInstanceOf(Error);
    expect(String(late)).toMatch(/exited \(SIGKILL\) before it was ready/);
    expect(alive(leader.pid!)).toBe(false);
  });
});
