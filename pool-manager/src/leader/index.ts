export {
  createLeaderElector,
  systemClock,
  type ElectorClock,
  type LeaderElector,
  type LeaderElectorOptions,
} from './leader-elector.js';
export {
  createKubernetesLeaseStore,
  type KubernetesLeaseStoreOptions,
} from './kubernetes-lease-store.js';
export { createMemoryLeaseStore, type LeaseRecord, type LeaseStore } from './lease-store.js';
