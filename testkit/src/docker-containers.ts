// Docker containers a test or bench left behind (after a failure), found by label.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/** Names of every container (running or not) carrying this label (`key=value` or `key`). */
export async function dockerContainers(label: string): Promise<string[]> {
  const { stdout } = await exec('docker', [
    'ps',
    '-a',
    '--filter',
    `label=${label}`,
    '--format',
    '{{.Names}}',
  ]);
  return stdout.split('\n').filter(Boolean).sort();
}

/** Removes (with their anonymous volumes) every container carrying this label. */
export async function removeDockerContainers(label: string): Promise<string[]> {
  const names = await dockerContainers(label);
  if (names.length > 0) await exec('docker', ['rm', '-f', '-v', ...names]);
  return names;
}
