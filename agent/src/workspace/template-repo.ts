// The template every first-time user's repository starts from, made once per process (at
// start-up, not during a bind). Its single commit has a fixed author and date, so every
// template — in every container — has the same commit id.
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { git } from '../git/git.js';
import { TEMPLATE_FILES } from './template-files.js';

export const TEMPLATE_BRANCH = 'main';

const TEMPLATE_IDENTITY: NodeJS.ProcessEnv = {
  GIT_AUTHOR_NAME: 'Warmgate',
  GIT_AUTHOR_EMAIL: 'template@warmgate.invalid',
  GIT_COMMITTER_NAME: 'Warmgate',
  GIT_COMMITTER_EMAIL: 'template@warmgate.invalid',
  GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z',
  GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z',
};

export interface TemplateRepo {
  /** A non-bare repository holding the template commit (clone it, bare or not). */
  readonly path: string;
  remove(): Promise<void>;
}

/** Writes the template files into `dir` (which must exist). */
export async function writeTemplateFiles(dir: string): Promise<void> {
  for (const [path, content] of Object.entries(TEMPLATE_FILES)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
}

export async function createTemplateRepo(parent = tmpdir()): Promise<TemplateRepo> {
  await removeOrphanedTemplates(parent);
  const path = await mkdtemp(join(parent, `${PREFIX}${process.pid}-`));
  try {
    await git(['init', '-q', '--template=', '-b', TEMPLATE_BRANCH, path]);
    await writeTemplateFiles(path);
    await git(['add', '-A'], { cwd: path });
    await git(['commit', '-q', '-m', 'New workspace from the Warmgate template'], {
      cwd: path,
      env: TEMPLATE_IDENTITY,
    });
  } catch (error) {
    await rm(path, { recursive: true, force: true });
    throw error;
  }
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

const PREFIX = 'warmgate-template-';

/**
 * A sidecar killed with SIGKILL cannot remove its template. Under a runtime its TMPDIR is the
 * container's own (local: `<container folder>/tmp`; Docker, bubblewrap: a tmpfs), removed with
 * the container; a process started by hand (stdio, a sidecar outside a runtime) shares the
 * machine's, where the next one removes it. The owner's pid is in the folder name, so only
 * folders of dead processes go.
 */
async function removeOrphanedTemplates(parent: string): Promise<void> {
  const names = await readdir(parent).catch(() => [] as string[]);
  await Promise.all(
    names.map(async (name) => {
      const pid = Number(/^warmgate-template-(\d+)-/.exec(name)?.[1]);
      if (!pid || isAlive(pid)) return;
      await rm(join(parent, name), { recursive: true, force: true }).catch(() => {});
    }),
  );
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
