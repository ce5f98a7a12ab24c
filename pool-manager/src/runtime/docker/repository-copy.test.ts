import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyRepository } from './repository-copy.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'warmgate-copy-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A bare repository's layout, made by hand (a unit test spawns no git). */
function bareRepository(path: string): void {
  const file = (name: string, text: string, mode = 0o644) => {
    mkdirSync(join(path, name, '..'), { recursive: true });
    writeFileSync(join(path, name), text);
    chmodSync(join(path, name), mode);
  };
  file('HEAD', 'ref: refs/heads/main\n');
  file('config', '[core]\n\tbare = true\n');
  file('hooks/pre-receive', '#!/bin/sh\n', 0o755);
  file('objects/ab/cdef0123', 'loose object', 0o444);
  file('objects/pack/pack-1.pack', 'pack', 0o444);
  file('objects/pack/pack-1.idx', 'idx', 0o444);
  file('objects/info/packs', 'P pack-1.pack\n');
  file('refs/heads/main', '0123456789abcdef0123456789abcdef01234567\n');
  file('refs/heads/main.lock', '');
  file('packed-refs', '# pack-refs\n');
  file('packed-refs.lock', '');
  symlinkSync('/etc/passwd', join(path, 'refs/heads/escape'));
}

describe('copyRepository', () => {
  it('copies what a restore reads, and nothing else: no lock, hook, config or link', async () => {
    const source = join(root, 'store', 'alice.git');
    const target = join(root, 'box', 'repository.git');
    bareRepository(source);
    mkdirSync(join(root, 'box'));
    expect(await copyRepository(source, target)).toBe('copied');
    const list = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? list(join(dir, e.name)).map((n) => `${e.name}/${n}`) : [e.name],
      );
    expect(list(target).sort()).toEqual([
      'HEAD',
      'objects/ab/cdef0123',
      'objects/info/packs',
      'objects/pack/pack-1.idx',
      'objects/pack/pack-1.pack',
      'packed-refs',
      'refs/heads/main',
    ]);
    expect(readFileSync(join(target, 'objects/ab/cdef0123'), 'utf8')).toBe('loose object');
    // A copy: its own inode, mode kept (read-only objects stay read-only).
    const copied = statSync(join(target, 'objects/pack/pack-1.pack'));
    const original = statSync(join(source, 'objects/pack/pack-1.pack'));
    expect(copied.ino).not.toBe(original.ino);
    expect(copied.nlink).toBe(1);
    expect(copied.mode & 0o777).toBe(0o444);
  });

  it('makes an empty repository for a user the store has none of', async () => {
    const target = join(root, 'repository.git');
    expect(await copyRepository(join(root, 'store', 'nobody.git'), target)).toBe('empty');
    expect(readFileSync(join(target, 'HEAD'), 'utf8')).toBe('ref: refs/heads/main\n');
    expect(readdirSync(join(target, 'objects'))).toEqual([]);
    expect(readdirSync(join(target, 'refs'))).toEqual([]);
  });

  it('never writes over something already at the target', async () => {
    const source = join(root, 'store', 'alice.git');
    bareRepository(source);
    const target = join(root, 'repository.git');
    mkdirSync(target);
    writeFileSync(join(target, 'mine'), 'not the copy');
    await expect(copyRepository(source, target)).rejects.toThrow(/EEXIST/);
    expect(readFileSync(join(target, 'mine'), 'utf8')).toBe('not the copy');
  });

  it('leaves nothing half made when a copy fails (the bind then clones)', async () => {
    const source = join(root, 'store', 'broken.git');
    bareRepository(source);
    rmSync(join(source, 'refs'), { recursive: true });
    writeFileSync(join(source, 'refs'), 'a file where a folder should be');
    const target = join(root, 'repository.git');
    await expect(copyRepository(source, target)).rejects.toThrow(/ENOTDIR/);
    expect(existsSync(target)).toBe(false);
  });

  it.runIf(process.getuid?.() === 0)(
    'gives every file and folder to the owner asked for',
    async () => {
      const source = join(root, 'store', 'alice.git');
      bareRepository(source);
      const target = join(root, 'repository.git');
      await copyRepository(source, target, { uid: 1000, gid: 1000 });
      for (const path of [
        target,
        join(target, 'objects/ab'),
        join(target, 'objects/ab/cdef0123'),
      ]) {
        expect(statSync(path)).toMatchObject({ uid: 1000, gid: 1000 });
      }
      // The store's files stay the pool manager's.
      expect(statSync(join(source, 'objects/ab/cdef0123')).uid).toBe(0);
    },
  );
});
