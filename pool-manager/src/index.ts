// @warmgate/pool-manager: run the pool manager in-process (startPoolManager) or as a process
// (node pool-manager/dist/main.js); the pool core and the Runtime seam for other runtimes.
export { startPoolManager, type RunningPoolManager, type StartOptions } from './start.js';
export {
  ConfigError,
  loadConfig,
  parseDuration,
  parseNodeArgs,
  settings,
  type PoolManagerConfig,
} from './config.js';
export { PoolCore, type PoolCoreDeps } from './pool/pool-core.js';
export type { PoolCoreConfig, ProfileConfig, TierConfig } from './pool/core-config.js';
export type { AcquireInput, AcquireResult, Binding } from './pool/binding.js';
export type { LifecyclePort, RepositoryResolver } from './pool/lifecycle-port.js';
export type { PoolStateView, ProfileStateView } from './pool/pool-state.js';
export type { HistorySnapshot, HistoryStore } from './pool/history-port.js';
export type { PredictiveOptions } from './pool/predictive-sizer.js';
export type {
  ClaimRecord,
  Container,
  ContainerPhase,
  Profile,
  Runtime,
} from './runtime/runtime.js';
export { createLocalRuntime, type LocalRuntimeOptions } from './runtime/local/local-runtime.js';
export { createGrpcLifecycle } from './lifecycle/grpc-lifecycle.js';
export {
  containerSecrets,
  SIDECAR_SECRET_ENV,
  SIDECAR_SECRET_FILE_ENV,
  type ContainerSecrets,
} from './runtime/container-secret.js';
export { systemClock, type Clock, type Timer } from './pool/clock.js';
export {
  DockerStartError,
  parseDockerLimits,
  startDockerRuntime,
  type DockerRuntimeSettings,
} from './runtime/docker/index.js';
