export {
  createKubernetesRuntime,
  createRuntimeOver,
  type KubernetesRuntimeOptions,
} from './kubernetes-runtime.js';
export { loadPodTemplate, type PodTemplate } from './pod-template.js';
export { userLabel } from './labels.js';
export {
  kubeConfigFromEnvironment,
  startKubernetesRuntime,
  type KubernetesRuntimeSettings,
} from './start-kubernetes.js';
