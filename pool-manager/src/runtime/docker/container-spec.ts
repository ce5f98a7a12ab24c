// The Docker create request of one agent-container process (agent or sidecar): everything
// that makes it safe to run someone's agent. Pure, so it is unit-tested as data.
import type { ContainerCreateOptions } from 'dockerode';
import type { DockerLimits } from './docker-limits.js';
import { CONTAINER, POOL, PROCESS, PROFILE, ROLE, dockerName, type ProcessRole } from './labels.js';

/** Where the container's own folder appears inside it. */
export const MOUNT = '/warmgate';

export interface SpecInput {
  readonly id: string;
  readonly role: ProcessRole;
  readonly image: string;
  /**
   * The container's command: unset = the role (the agent image's `agent` or `sidecar`); a
   * named agent's own (agent-images.ts), where empty means the image's default.
   */
  readonly command?: readonly string[];
  readonly profile: string;
  readonly pool: string;
  /** Host folder mounted at /warmgate: the workspace and the ready files, nothing else. */
  readonly hostFolder: string;
  /** uid:gid inside the container; never 0. */
  readonly user: string;
  readonly limits: DockerLimits;
  /** The only environment the process gets (no variable of the pool manager leaks in). */
  readonly env: Readonly<Record<string, string>>;
  /**
   * Host files mounted read-only at `SECRETS/<name>` in this process's container alone (the
   * sidecar's Lifecycle secret never appears in the agent container).
   */
  readonly secretFiles?: Readonly<Record<string, string>>;
}

/** Where a container's secret files appear inside it (read-only, outside /warmgate). */
export const SECRETS = '/run/warmgate';

export function containerSpec(input: SpecInput): ContainerCreateOptions {
  if (/^0(:|$)/.test(input.user)) throw new Error('agent containers never run as root');
  const { limits } = input;
  const command = input.command ?? [input.role];
  return {
    name: dockerName(input.id, input.role),
    Image: input.image,
    ...(command.length > 0 ? { Cmd: [...command] } : {}),
    User: input.user,
    Env: Object.entries(input.env).map(([key, value]) => `${key}=${value}`),
    Labels: {
      [ROLE]: 'agent',
      [POOL]: input.pool,
      [CONTAINER]: input.id,
      [PROCESS]: input.role,
      [PROFILE]: input.profile,
    },
    // Readiness comes from the ready file; Docker's probe would only add load.
    Healthcheck: { Test: ['NONE'] },
    HostConfig: {
      // No network: the agent container has a loopback of its own and nothing else, and the
      // sidecar joins it (one network namespace, like a pod's two containers). The pool
      // manager and the gateway reach them through Unix sockets in the mounted folder, and
      // they reach the repository store through the one socket the pool manager serves there
      // (docs/architecture.md: what a container can reach).
      NetworkMode: input.role === 'agent' ? 'none' : `container:${dockerName(input.id, 'agent')}`,
      Binds: [
        `${input.hostFolder}:${MOUNT}:rw`,
        ...Object.entries(input.secretFiles ?? {}).map(
          ([name, hostPath]) => `${hostPath}:${SECRETS}/${name}:ro`,
        ),
      ],
      ReadonlyRootfs: true,
      Tmpfs: { '/tmp': 'rw,nosuid,nodev,size=64m' },
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      Privileged: false,
      Memory: limits.memoryBytes,
      MemorySwap: limits.memoryBytes,
      NanoCpus: Math.round(limits.cpus * 1e9),
      PidsLimit: limits.pids,
      RestartPolicy: { Name: 'no' },
      LogConfig: { Type: 'json-file', Config: { 'max-size': '1m', 'max-file': '1' } },
    },
  };
}
