export {
  CONTEXT_RESOURCE_URIS,
  NUMPY_INDICATOR_DESCRIPTION,
  NUMPY_INDICATOR_SOURCE,
} from './agent-fixtures.js';
export {
  floodSourceAddresses,
  startFlood,
  type Flood,
  type FloodOptions,
  type FloodStats,
} from './abuse-flood.js';
export {
  startAgentContainer,
  startAgentRole,
  type AgentContainer,
  type AgentContainerOptions,
  type ContainerAgent,
  type RoleProcess,
} from './agent-container.js';
export {
  agentCommands,
  startDataPlaneContainer,
  type DataPlaneContainer,
  type DataPlaneContainerOptions,
} from './data-plane-container.js';
export {
  containerLeaderPids,
  containerPids,
  killContainers,
  killProcessGroup,
} from './container-processes.js';
export { dockerContainers, removeDockerContainers } from './docker-containers.js';
export {
  EntryProcesses,
  spawnEntry,
  stopChild,
  type EntryOptions,
  type EntryProcess,
} from './entry-process.js';
export { killLeftovers, reopenLeftovers, trackChild, trackSandbox } from './leftovers.js';
export { built, entries, repoRoot } from './paths.js';
export {
  makePoolSandbox,
  spawnPoolManager,
  type PoolManagerProcess,
  type PoolSandbox,
} from './pool-manager-process.js';
export { poolClient, warmCount, type PoolClient } from './pool-client.js';
export {
  poolManagerEnv,
  startProcessStack,
  type ProcessStack,
  type ProcessStackOptions,
} from './process-stack.js';
export { pythonWithMcp, venvDir } from './python-mcp.js';
export { isReady, parseReadyLine, type ReadyLine } from './ready-line.js';
export { startStack, type Stack, type StackOptions, type StackReadyLine } from './stack.js';
export { makeTempDir, removeDir } from './temp-dir.js';
export { OPEN_ADMISSION_ENV, TEST_POOL_SECRET } from './test-env.js';
export { waitFor } from './wait-for.js';
