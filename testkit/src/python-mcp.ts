// The official Python MCP SDK, for tests with a client no one here wrote (agent and gateway): a virtualenv
// under ${XDG_CACHE_HOME:-~/.cache}/warmgate/py-mcp with `mcp` from PyPI, made on first use
// and reused afterwards. The version is pinned: the SDK's client API changed between 1.x and
// 2.x, and a test must not change under us.
import { execFile } from 'node:child_process';
import { access, mkdir, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const MCP_PACKAGE = 'mcp==2.3.0';

export function venvDir(): string {
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'warmgate', 'py-mcp');
}

/** The venv's python with `mcp` importable; installs it when missing. */
export async function pythonWithMcp(): Promise<string> {
  const dir = venvDir();
  const python = join(dir, 'bin', 'python');
  const ready = await run(python, ['-m', 'pip', 'show', 'mcp'])
    .then(({ stdout }) => stdout.includes(`Version: ${MCP_PACKAGE.split('==')[1]}`))
    .catch(() => false);
  if (ready) return python;
  // Made aside and renamed into place, so two test runs never install into one venv at once.
  await mkdir(dirname(dir), { recursive: true });
  const temp = `${dir}.tmp-${process.pid}`;
  await rm(temp, { recursive: true, force: true });
  await run('python3', ['-m', 'venv', temp]);
  await run(
    join(temp, 'bin', 'python'),
    ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', MCP_PACKAGE],
    { timeout: 240_000 },
  );
  await rm(dir, { recursive: true, force: true });
  try {
    await rename(temp, dir);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    // Another run put its venv there first; use that one.
    const theirs = await access(python).then(
      () => true,
      () => false,
    );
    if (!theirs) throw error;
  }
  return python;
}
