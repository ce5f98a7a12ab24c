import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WarmgateError } from '@warmgate/proto';
import { ErrorCode } from '@warmgate/proto';
import { afterEach, describe, expect, it } from 'vitest';
import { ContainerFiles } from './container-files.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function files() {
  const dir = mkdtempSync(join(tmpdir(), 'warmgate-files-'));
  dirs.push(dir);
  return new ContainerFiles(dir);
}

const claim = (userId: string) => ({
  userId,
  bindingId: `b-${userId}`,
  tier: 'free',
  mode: 2,
  claimedAt: 1,
  assertionKey: 'a2V5',
});

describe('ContainerFiles', () => {
  it('of concurrent claims exactly one wins; the others get ABORTED', async () => {
    const f = files();
    await f.make('c1');
    const results = await Promise.allSettled(
      ['u1', 'u2', 'u3', 'u4', 'u5'].map((u) => f.writeClaim('c1', claim(u))),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const r of results.filter((r) => r.status === 'rejected')) {
      const reason = (r as PromiseRejectedResult).reason as WarmgateError;
      expect(reason.code).toBe(ErrorCode.ABORTED);
    }
    const stored = await f.readClaim('c1');
    expect(results[['u1', 'u2', 'u3', 'u4', 'u5'].indexOf(stored!.userId)]!.status).toBe(
      'fulfilled',
    );
    // No temp files left; the claim (it holds a key) is readable by its owner only.
    expect(readdirSync(f.dir('c1')).sort()).toEqual(['claim.json', 'tmp', 'workspace']);
    expect(statSync(join(f.dir('c1'), 'claim.json')).mode & 0o077).toBe(0);
  });

  it('writes the container record atomically and lists what is there', async () => {
    const f = files();
    await f.make('c2');
    const record = {
      id: 'c2',
      profile: 'standard',
      createdAt: 5,
      agent: { pid: 10, port: 7000 },
      sidecar: { pid: 11, port: 7001 },
    };
    await f.writeRecord(record);
    expect(await f.readRecord('c2')).toEqual(record);
    expect(await f.ids()).toEqual(['c2']);
    expect(await f.isDraining('c2')).toBe(false);
    await f.markDraining('c2');
    expect(await f.isDraining('c2')).toBe(true);
    await f.remove('c2');
    expect(await f.ids()).toEqual([]);
  });
});
