// What start.ts calls for WARMGATE_POOL_RUNTIME=docker: a client for the daemon, and checks
// that stop start-up with a message naming the setting when the daemon is missing, the image
// is unknown, or Docker refuses a profile's limits.
import Docker from 'dockerode';
import type { Runtime } from '../runtime.js';
import { containerSpec } from './container-spec.js';
import { limitsFor, type LimitsByProfile } from './docker-limits.js';
import { createDockerRuntime, type DockerRuntimeOptions } from './docker-runtime.js';
import { poolLabel } from './labels.js';

export class DockerStartError extends Error {
  override readonly name = 'DockerStartError';
}

export interface DockerRuntimeSettings extends Omit<DockerRuntimeOptions, 'docker' | 'limits'> {
  /** DOCKER_HOST-style address; default: the environment (DOCKER_HOST) or /var/run/docker.sock. */
  readonly socketPath?: string;
  readonly limits: LimitsByProfile;
  /** The profiles the pool will run (their limits are checked against the daemon). */
  readonly profiles: readonly string[];
  /** The agents the profiles name (their images must be on the host). */
  readonly agents?: readonly string[];
}

export async function startDockerRuntime(settings: DockerRuntimeSettings): Promise<Runtime> {
  const docker = new Docker(settings.socketPath ? { socketPath: settings.socketPath } : undefined);
  try {
    await docker.ping();
  } catch (error) {
    throw new DockerStartError(
      `WARMGATE_POOL_RUNTIME=docker: no Docker daemon answers (${(error as Error).message}); ` +
        'start one (as root: scripts/ensure-docker.sh) or set DOCKER_HOST',
    );
  }
  try {
    await docker.getImage(settings.image).inspect();
  } catch {
    throw new DockerStartError(
      `WARMGATE_POOL_DOCKER_IMAGE=${settings.image}: no such image on this Docker host; build it with \`npm run images\``,
    );
  }
  for (const [name, { image }] of Object.entries(settings.agentImages ?? {})) {
    if (!settings.agents?.includes(name)) continue;
    try {
      await docker.getImage(image).inspect();
    } catch {
      throw new DockerStartError(
        `WARMGATE_POOL_AGENT_IMAGES: agent ${name}'s image ${image} is not on this Docker host; build it (\`npm run images\` builds warmgate/agent-py:dev)`,
      );
    }
  }
  for (const profile of settings.profiles) {
    await checkLimits(docker, settings, profile);
  }
  return createDockerRuntime({ ...settings, docker });
}

/** Creates (never starts) a container with the profile's limits: Docker validates them at create. */
async function checkLimits(docker: Docker, settings: DockerRuntimeSettings, profile: string) {
  const spec = containerSpec({
    id: `probe-${process.pid}-${profile}`,
    role: 'agent',
    image: settings.image,
    profile,
    pool: poolLabel(settings.stateDir),
    hostFolder: '/nonexistent-warmgate-probe',
    user: '1000:1000',
    limits: limitsFor(settings.limits, profile),
    env: {},
  });
  // Not in the pool (list() never sees it) and no mount (nothing is created on the host).
  const probe = {
    ...spec,
    Labels: { ...spec.Labels, 'warmgate.io/pool': 'probe' },
    HostConfig: { ...spec.HostConfig, Binds: [] },
  };
  let created: Docker.Container | undefined;
  try {
    created = await docker.createContainer(probe);
  } catch (error) {
    throw new DockerStartError(
      `WARMGATE_POOL_DOCKER_LIMITS: Docker refuses the limits of profile ${profile}: ${(error as Error).message}`,
    );
  } finally {
    await created?.remove({ force: true }).catch(() => {});
  }
}
