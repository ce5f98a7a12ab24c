// The embedded store (`npm start`, local runtime) on a real pool manager process and real git:
// at start, repositories made before the receive policy existed get it (objects checked, no
// non-fast-forward push, no deletion) and every repository gets the size quota
// (WARMGATE_STORE_QUOTA), enforced on a push by path — the way a local agent pushes — with a
// message naming the quota; a repository the agent makes for a new user at bind has them too.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AuthMode } from '@warmgate/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  makeSandbox,
  poolClient,
  seedRepository,
  spawnPoolManager,
  type PoolManagerProcess,
  type Sandbox,
} from '../support.js';

const run = promisify(execFile);
const QUOTA = '300KiB';

let sandbox: Sandbox;
let pool: PoolManagerProcess;
let scratch: string;

beforeAll(async () => {
  sandbox = makeSandbox({ WARMGATE_POOL_PROFILES: 'standard:min=1:max=2' });
  scratch = mkdtempSync(join(tmpdir(), 'warmgate-embedded-policy-'));
  // Made the old way (plain `git clone --bare`): no receive settings, no hooks.
  seedRepository(sandbox.storeDir, 'olduser', { 'notes.md': 'old\n' });
  pool = await spawnPoolManager({ ...sandbox.env, WARMGATE_STORE_QUOTA: QUOTA });
}, 60_000);

afterAll(async () => {
  if (pool && pool.child.exitCode === null) {
    pool.child.kill('SIGKILL');
    await pool.exited;
  }
  sandbox?.cleanup();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const gitIn = (cwd: string, ...args: string[]) => run('git', args, { cwd });
const repo = (user: string) => join(sandbox.storeDir, `${user}.git`);

/** A clone of the user's repository by path, with an identity to commit as. */
async function cloneOf(user: string): Promise<string> {
  const dir = join(scratch, `${user}-${randomBytes(4).toString('hex')}`);
  await run('git', ['clone', '-q', repo(user), dir]);
  await gitIn(dir, 'config', 'user.email', 't@example.test');
  await gitIn(dir, 'config', 'user.name', 'test');
  return dir;
}

async function commitFile(dir: string, name: string, bytes: number): Promise<void> {
  // Random bytes do not compress: the pack is about this large.
  writeFileSync(join(dir, name), randomBytes(bytes));
  await gitIn(dir, 'add', name);
  await gitIn(dir, 'commit', '-q', '-m', name);
}

const pushFailure = (dir: string, ...args: string[]) =>
  gitIn(dir, 'push', '-q', 'origin', ...args).then(
    () => undefined,
    (error: { stderr?: string }) => error.stderr ?? String(error),
  );

describe('embedded store policy', () => {
  it('gives a repository made before the policy its receive settings at start', async () => {
    const get = async (key: string) =>
      (await run('git', ['--git-dir', repo('olduser'), 'config', '--get', key])).stdout.trim();
    expect(await get('receive.fsckObjects')).toBe('true');
    expect(await get('receive.denyNonFastForwards')).toBe('true');
    expect(await get('receive.denyDeletes')).toBe('true');
    expect(pool.output()).toMatch(/quota of 307200 bytes on 1 repositories/);
  });

  it('refuses a push over the quota with a message naming it; a small push goes through', async () => {
    const dir = await cloneOf('olduser');
    await commitFile(dir, 'small.bin', 20_000);
    expect(await pushFailure(dir, 'HEAD')).toBeUndefined();
    await commitFile(dir, 'big.bin', 400_000);
    const refused = await pushFailure(dir, 'HEAD');
    expect(refused).toMatch(/over its quota of 307200 bytes \(WARMGATE_STORE_QUOTA\)/);
    // Nothing of it was kept: the store's branch is still at the small commit.
    const { stdout } = await run('git', ['--git-dir', repo('olduser'), 'log', '--format=%s']);
    expect(stdout.split('\n')[0]).toBe('small.bin');
  });

  it('refuses rewriting and deleting history in an old repository', async () => {
    const dir = await cloneOf('olduser');
    await gitIn(dir, 'reset', '-q', '--hard', 'HEAD~1');
    await commitFile(dir, 'other.bin', 100);
    expect(await pushFailure(dir, '--force', 'HEAD')).toMatch(/denied|non-fast-forward/);
    await gitIn(dir, 'push', '-q', 'origin', 'HEAD:refs/heads/extra').catch(() => undefined);
    expect(await pushFailure(dir, '--delete', 'extra')).toMatch(/denied|deletion prohibited/);
  });

  it("a new user's repository, made by the agent at bind, has the quota too", async () => {
    const client = poolClient(pool.address);
    try {
      await client.acquire(
        { userId: 'newuser', tier: 'free', mode: AuthMode.GATEWAY },
        { timeoutMs: 30_000 },
      );
    } finally {
      client.close();
    }
    const dir = await cloneOf('newuser');
    await commitFile(dir, 'big.bin', 400_000);
    expect(await pushFailure(dir, 'HEAD')).toMatch(/over its quota of 307200 bytes/);
  });
});
