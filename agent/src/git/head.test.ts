import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readHead } from './head.js';

let gitDir: string;
const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

beforeEach(async () => {
  gitDir = await mkdtemp(join(tmpdir(), 'warmgate-head-'));
  await mkdir(join(gitDir, 'refs/heads'), { recursive: true });
});
afterEach(() => rm(gitDir, { recursive: true, force: true }));

describe('readHead', () => {
  it('prefers the loose ref over packed-refs', async () => {
    await writeFile(join(gitDir, 'HEAD'), 'ref: refs/heads/main\n');
    await writeFile(join(gitDir, 'packed-refs'), `# pack-refs\n${B} refs/heads/main\n`);
    expect(await readHead(gitDir)).toEqual({ ref: 'refs/heads/main', commit: B });
    await writeFile(join(gitDir, 'refs/heads/main'), `${A}\n`);
    expect(await readHead(gitDir)).toEqual({ ref: 'refs/heads/main', commit: A });
  });

  it('reads a detached head and an unborn branch', async () => {
    await writeFile(join(gitDir, 'HEAD'), `${A}\n`);
    expect(await readHead(gitDir)).toEqual({ ref: undefined, commit: A });
    await writeFile(join(gitDir, 'HEAD'), 'ref: refs/heads/main\n');
    expect(await readHead(gitDir)).toEqual({ ref: 'refs/heads/main', commit: '' });
  });
});
