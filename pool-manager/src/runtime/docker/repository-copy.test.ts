import {
  chmodSync,
  chownSync,
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
import { copyRepository, readOnlyFor } from './repository-copy.js';

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
    expect(await copyRepository(source, target)).toEqual({ kind: 'copied', linked: 0, copied: 4 });
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
    // Without an owner (the container runs as the pool manager's uid, which owns the store's
    // files): every file a copy, its own inode, mode kept (read-only objects stay read-only).
    const copied = statSync(join(target, 'objects/pack/pack-1.pack'));
    const original = statSync(join(source, 'objects/pack/pack-1.pack'));
    expect(copied.ino).not.toBe(original.ino);
    expect(copied.nlink).toBe(1);
    expect(copied.mode & 0o777).toBe(0o444);
  });

  it('makes an empty repository for a user the store has none of', async () => {
    const target = join(root, 'repository.git');
    expect(await copyRepository(join(root, 'store', 'nobody.git'), target)).toMatchObject({
      kind: 'empty',
    });
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
    'as root: links the object files the container cannot write, copies the rest, gives it its folders and refs',
    async () => {
      const source = join(root, 'store', 'alice.git');
      bareRepository(source);
      // Root-owned, others may read, nobody but root may write: linked.
      // Writable by others, or owned by the container's uid: copied.
      chmodSync(join(source, 'objects/info/packs'), 0o666);
      chownSync(join(source, 'objects/pack/pack-1.idx'), 1000, 1000);
      const target = join(root, 'repository.git');
      const owner = { uid: 1000, gid: 1000 };
      expect(await copyRepository(source, target, owner)).toEqual({
        kind: 'copied',
        linked: 2,
        copied: 2,
      });
      const ino = (path: string) => statSync(join(path)).ino;
      for (const linked of ['objects/ab/cdef0123', 'objects/pack/pack-1.pack']) {
        expect(ino(join(target, linked))).toBe(ino(join(source, linked)));
        expect(statSync(join(target, linked))).toMatchObject({ uid: 0, mode: 0o100444 });
      }
      for (const copied of ['objects/info/packs', 'objects/pack/pack-1.idx']) {
        expect(ino(join(target, copied))).not.toBe(ino(join(source, copied)));
        expect(statSync(join(target, copied))).toMatchObject({ uid: 1000, gid: 1000 });
      }
      for (const path of ['', 'objects', 'objects/ab', 'refs/heads', 'refs/heads/main', 'HEAD']) {
        expect(statSync(join(target, path)), path).toMatchObject({ uid: 1000, gid: 1000 });
      }
      // The store's files stay as they were.
      expect(statSync(join(source, 'objects/ab/cdef0123'))).toMatchObject({
        uid: 0,
        mode: 0o100444,
      });
    },
  );

  it('links only files a capability-less process of the owner uid/gid cannot write or chmod', () => {
    const owner = { uid: 1000, gid: 1000 };
    const file = (uid: number, gid: number, mode: number) => ({
      uid,
      gid,
      mode,
      isFile: () => true,
    });
    expect(readOnlyFor(file(0, 0, 0o100444), owner)).toBe(true);
    expect(readOnlyFor(file(0, 0, 0o100644), owner)).toBe(true);
    expect(readOnlyFor(file(0, 1000, 0o100644), owner)).toBe(true);
    expect(readOnlyFor(file(1000, 0, 0o100444), owner)).toBe(false); // its own: it can chmod
    expect(readOnlyFor(file(0, 0, 0o100446), owner)).toBe(false); // others may write
    expect(readOnlyFor(file(0, 1000, 0o100464), owner)).toBe(false); // its group may write
    expect(readOnlyFor(file(0, 0, 0o100440), owner)).toBe(false); // it could not read it
    expect(readOnlyFor({ ...file(0, 0, 0o100444), isFile: () => false }, owner)).toBe(false);
  });
});
