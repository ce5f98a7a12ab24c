// Helpers for the Docker tests: the agent image (built by `npm run images` when missing or
// stale; Docker's layer cache makes a rebuild of unchanged sources quick), `docker exec`,
// and the containers a pool (state folder) owns. These tests fail, never skip, when Docker
// cannot run: ensure-docker.sh installs and starts what it can and says why it cannot.
import { execFile, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { dockerContainers, removeDockerContainers } from '@warmgate/testkit';
import { poolLabel } from '../../src/runtime/docker/index.js';

const exec = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));
export const AGENT_IMAGE = process.env.WARMGATE_POOL_DOCKER_IMAGE || 'warmgate/agent:dev';

/**
 * Starts Docker if it can and builds the agent image (quick when nothing changed). An image
 * named by WARMGATE_POOL_DOCKER_IMAGE is used as it is (it must exist).
 */
export function ensureAgentImage(): void {
  if (process.env.WARMGATE_POOL_DOCKER_IMAGE) {
    execFileSync('bash', ['scripts/ensure-docker.sh'], { cwd: root, stdio: 'inherit' });
    execFileSync('docker', ['image', 'inspect', AGENT_IMAGE], { stdio: 'ignore' });
    return;
  }
  execFileSync('node', ['scripts/images.js', 'agent'], { cwd: root, stdio: 'inherit' });
}

export async function dockerExec(
  container: string,
  command: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec('docker', ['exec', container, ...command], {
      maxBuffer: 16 * 2 ** 20,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof failure.code === 'number' ? failure.code : 1,
      stdout: failure.stdout ?? '',
      stderr: failure.stderr ?? '',
    };
  }
}

/** SIGKILL to the container's main process, from outside (PID 1 ignores it from inside). */
export async function dockerKill(container: string): Promise<void> {
  await exec('docker', ['kill', '--signal', 'KILL', container]);
}

export async function dockerInspect(container: string): Promise<DockerInspect> {
  const { stdout } = await exec('docker', ['inspect', container]);
  return (JSON.parse(stdout) as DockerInspect[])[0]!;
}

export interface DockerInspect {
  Id: string;
  Config: { User: string; Env: string[]; Labels: Record<string, string> };
  State: { Running: boolean; Pid: number };
  HostConfig: {
    NetworkMode: string;
    ReadonlyRootfs: boolean;
    CapDrop: string[] | null;
    SecurityOpt: string[] | null;
    Privileged: boolean;
    Memory: number;
    NanoCpus: number;
    PidsLimit: number;
  };
  Mounts: { Type: string; Source: string; Destination: string; RW: boolean }[];
}

/** Names of every Docker container (running or not) of the pool with this state folder. */
export function poolContainers(stateDir: string): Promise<string[]> {
  return dockerContainers(`warmgate.io/pool=${poolLabel(stateDir)}`);
}

/** Removes whatever a test left behind (after a failure), by the pool's label. */
export async function removePoolContainers(stateDir: string): Promise<void> {
  await removeDockerContainers(`warmgate.io/pool=${poolLabel(stateDir)}`);
}
