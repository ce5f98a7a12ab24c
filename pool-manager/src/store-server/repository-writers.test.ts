import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { repositoryWriters } from './repository-writers.js';

let root: string;
const lock = () => join(root, 'u.git', 'refs', 'heads', 'main.lock');
const plant = () => writeFileSync(lock(), '');

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'warmgate-writers-'));
  mkdirSync(join(root, 'u.git', 'refs', 'heads'), { recursive: true });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('repository writers: the stale-lock sweep', () => {
  it('sweeps at a binding’s first request, not at its later ones', async () => {
    const logged: string[] = [];
    const writers = repositoryWriters(root, (message) => logged.push(message));
    plant();
    await writers.run('u.git', 'b1', async () => expect(existsSync(lock())).toBe(false));
    expect(logged).toEqual(['store: u.git: removed stale git locks refs/heads/main.lock']);
    plant(); // a lock the binding's own (live) git would hold: not the sweep's business
    await writers.run('u.git', 'b1', async () => undefined);
    expect(existsSync(lock())).toBe(true);
  });

  it('never sweeps while a git of the store runs in the repository', async () => {
    const writers = repositoryWriters(root);
    let finish!: () => void;
    const pushing = writers.run('u.git', 'b1', async () => {
      plant(); // the running receive-pack's own lock
      await new Promise<void>((resolve) => (finish = resolve));
    });
    await new Promise((resolve) => setImmediate(resolve));
    await writers.run('u.git', 'b2', async () => expect(existsSync(lock())).toBe(true));
    finish();
    await pushing;
    // b2's next request, with nothing running, is the sweep's moment.
    await writers.run('u.git', 'b2', async () => expect(existsSync(lock())).toBe(false));
  });

  it('holds a request back until a sweep in progress is done', async () => {
    const writers = repositoryWriters(root);
    plant();
    const order: string[] = [];
    await Promise.all([
      writers.run('u.git', 'b1', async () => order.push(`first sees lock: ${existsSync(lock())}`)),
      writers.run('u.git', 'b1', async () => order.push(`second sees lock: ${existsSync(lock())}`)),
    ]);
    expect(order).toEqual(['first sees lock: false', 'second sees lock: false']);
  });
});
