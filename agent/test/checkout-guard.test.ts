// The in-process checkout against crafted repositories (made with real git): symbolic links
// that lead out of the workspace are refused by real path, chains of links included, and a
// blob that inflates past the bound (a zip bomb) is refused with a clear error.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkoutCommit } from '../src/git/checkout.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A repository whose one commit holds what `make` puts in its working tree. */
function repository(make: (work: string) => void, repack = false) {
  const work = mkdtempSync(join(tmpdir(), 'warmgate-crafted-'));
  dirs.push(work);
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: work, encoding: 'utf8', env: { ...process.env, HOME: work } });
  git('init', '-q', '-b', 'main');
  make(work);
  git('add', '-A');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'commit', '-q', '-m', 'crafted');
  if (repack) git('repack', '-adq');
  return { gitDir: join(work, '.git'), commit: git('rev-parse', 'HEAD').trim() };
}

function target(): string {
  const dir = mkdtempSync(join(tmpdir(), 'warmgate-checkout-'));
  dirs.push(dir);
  return join(dir, 'workspace');
}

async function checkout(repo: { gitDir: string; commit: string }, maxObjectBytes?: number) {
  const workTree = target();
  mkdirSync(workTree);
  await checkoutCommit(repo.gitDir, workTree, repo.commit, { maxObjectBytes });
  return workTree;
}

describe('checkout: links out of the workspace', () => {
  it('refuses a chain of links that only a real path shows leads outside', async () => {
    // d/e/s -> .. is d (inside); a -> d/e/s/../.. is d lexically (what the old, lexical guard
    // checked and let through), but really the workspace's parent.
    const repo = repository((work) => {
      mkdirSync(join(work, 'd', 'e'), { recursive: true });
      writeFileSync(join(work, 'd', 'e', 'keep'), '');
      symlinkSync('..', join(work, 'd', 'e', 's'));
      symlinkSync('d/e/s/../..', join(work, 'a'));
    });
    await expect(checkout(repo)).rejects.toMatchObject({
      code: 9,
      message: 'the repository links a outside the workspace',
    });
  });

  it('refuses a dangling chain that would lead outside once its end exists', async () => {
    // x -> d/e/z/../../elsewhere: lexically d/elsewhere (inside, and missing); through the
    // link d/e/z -> .. it is the workspace's parent's "elsewhere".
    const repo = repository((work) => {
      mkdirSync(join(work, 'd', 'e'), { recursive: true });
      writeFileSync(join(work, 'd', 'e', 'keep'), '');
      symlinkSync('..', join(work, 'd', 'e', 'z'));
      symlinkSync('d/e/z/../../elsewhere', join(work, 'x'));
    });
    await expect(checkout(repo)).rejects.toMatchObject({ code: 9 });
  });

  it('refuses a plain link out, and keeps links that stay inside', async () => {
    const out = repository((work) => symlinkSync('../../etc', join(work, 'e')));
    await expect(checkout(out)).rejects.toMatchObject({ code: 9 });
    const fine = repository((work) => {
      mkdirSync(join(work, 'd'));
      writeFileSync(join(work, 'd', 'f.txt'), 'inside\n');
      symlinkSync('d/f.txt', join(work, 'ok'));
      symlinkSync('../d', join(work, 'd', 'self'));
    });
    const workTree = await checkout(fine);
    expect(readFileSync(join(workTree, 'ok'), 'utf8')).toBe('inside\n');
  });
});

describe('checkout: bounded inflation', () => {
  const bomb = (work: string) => writeFileSync(join(work, 'zeros.bin'), Buffer.alloc(4 << 20));

  for (const packed of [false, true]) {
    it(`refuses a ${packed ? 'packed' : 'loose'} blob that inflates past the bound (zip bomb)`, async () => {
      const repo = repository(bomb, packed);
      await expect(checkout(repo, 1 << 20)).rejects.toMatchObject({
        code: 9,
        message: expect.stringMatching(
          /inflates past 1048576 bytes \(WARMGATE_AGENT_MAX_OBJECT_BYTES\)/,
        ),
      });
      // Under a bound it fits, the same repository checks out.
      const workTree = await checkout(repo, 8 << 20);
      expect(readFileSync(join(workTree, 'zeros.bin')).length).toBe(4 << 20);
    });
  }
});
