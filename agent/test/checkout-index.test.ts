// The index the in-process checkout writes is the one git would: every path, mode and object
// id of HEAD (`git ls-files -s` = `git ls-tree -r HEAD`), with stat data that makes git find
// the tree clean without a `git reset` (`git diff-files` compares stat data only).
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { checkoutCommit } from '../src/git/checkout.js';
import { linkRepository } from '../src/git/link-repository.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, HOME: cwd } });

it.each([false, true])('writes the index git would write (packed store: %s)', async (packed) => {
  const work = mkdtempSync(join(tmpdir(), 'warmgate-index-src-'));
  dirs.push(work);
  git(work, 'init', '-q', '-b', 'main');
  mkdirSync(join(work, 'a', 'b'), { recursive: true });
  writeFileSync(join(work, 'a', 'b', 'deep.md'), 'deep\n');
  writeFileSync(join(work, 'a-b.md'), 'sorts between a and a/ byte-wise\n');
  writeFileSync(join(work, 'run.sh'), '#!/bin/sh\n');
  chmodSync(join(work, 'run.sh'), 0o755);
  writeFileSync(join(work, `${'n'.repeat(200)}.md`), 'a long name\n');
  writeFileSync(join(work, 'ünïcode.md'), 'utf-8 name\n');
  symlinkSync('a/b/deep.md', join(work, 'link'));
  git(work, 'add', '-A');
  git(work, '-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'commit', '-q', '-m', 'i');
  if (packed) git(work, 'repack', '-adq');
  const target = join(mkdtempSync(join(tmpdir(), 'warmgate-index-')), 'workspace');
  dirs.push(join(target, '..'));
  mkdirSync(target);
  await linkRepository(join(work, '.git'), join(target, '.git'), false); // as a bind does
  await checkoutCommit(join(target, '.git'), target, git(work, 'rev-parse', 'HEAD').trim());

  const staged = git(target, 'ls-files', '-s', '-z').split('\0').filter(Boolean);
  const tree = git(target, 'ls-tree', '-r', '-z', 'HEAD')
    .split('\0')
    .filter(Boolean)
    .map((line) => line.replace(/^(\d+) \w+ (\w+)\t/, '$1 $2 0\t'));
  expect(staged).toEqual(tree);
  expect(git(target, 'diff-files', '--name-only')).toBe('');
  expect(git(target, 'status', '--porcelain')).toBe('');
});
