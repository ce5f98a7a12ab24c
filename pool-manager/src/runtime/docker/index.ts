export { createDockerRuntime, type DockerRuntimeOptions } from './docker-runtime.js';
export {
  DockerStartError,
  startDockerRuntime,
  type DockerRuntimeSettings,
} from './start-docker.js';
export { parseDockerLimits, type DockerLimits, type LimitsByProfile } from './docker-limits.js';
export { deadContainerCounter } from './runtime-metrics.js';
export { ROLE as ROLE_LABEL, POOL as POOL_LABEL, poolLabel } from './labels.js';
