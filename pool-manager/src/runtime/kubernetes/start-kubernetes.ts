// What main.ts calls for WARMGATE_POOL_RUNTIME=kubernetes: the cluster credentials from the
// environment (in a pod: its ServiceAccount; elsewhere: KUBECONFIG or ~/.kube/config), the
// pod template from its file, and the runtime with its watch started.
import { KubeConfig } from '@kubernetes/client-node';
import type { AgentImages } from '../agent-images.js';
import type { ContainerSecrets } from '../container-secret.js';
import type { Runtime } from '../runtime.js';
import { createKubernetesRuntime } from './kubernetes-runtime.js';
import { loadPodTemplate } from './pod-template.js';

export interface KubernetesRuntimeSettings {
  readonly namespace: string;
  /** JSON pod template (the chart mounts it at /etc/warmgate/pool/agent-pod.json). */
  readonly podTemplatePath: string;
  readonly instance?: string;
  readonly readyTimeoutMs?: number;
  readonly onWatchError?: (error: unknown) => void;
  /** Each pod's sidecar secret (pool-manager/src/runtime/container-secret.ts). */
  readonly containerSecrets: ContainerSecrets;
  /** Agents by image (WARMGATE_POOL_AGENT_IMAGES). */
  readonly agentImages?: AgentImages;
}

export function kubeConfigFromEnvironment(): KubeConfig {
  const config = new KubeConfig();
  config.loadFromDefault();
  return config;
}

export async function startKubernetesRuntime(
  settings: KubernetesRuntimeSettings,
  kubeConfig: KubeConfig = kubeConfigFromEnvironment(),
): Promise<Runtime> {
  return createKubernetesRuntime({
    kubeConfig,
    namespace: settings.namespace,
    podTemplate: await loadPodTemplate(settings.podTemplatePath),
    containerSecrets: settings.containerSecrets,
    ...(settings.agentImages ? { agentImages: settings.agentImages } : {}),
    ...(settings.instance === undefined ? {} : { instance: settings.instance }),
    ...(settings.readyTimeoutMs === undefined ? {} : { readyTimeoutMs: settings.readyTimeoutMs }),
    ...(settings.onWatchError === undefined ? {} : { onWatchError: settings.onWatchError }),
  });
}
