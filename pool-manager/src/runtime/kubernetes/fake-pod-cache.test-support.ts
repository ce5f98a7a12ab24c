// A pod cache the unit tests drive: what the informer would deliver, without a watch.
import type { V1Pod } from '@kubernetes/client-node';
import type { PodCache, PodEvent, PodListener } from './pod-cache.js';

export function fakePodCache(): PodCache & { emit(event: PodEvent, pod: V1Pod): void } {
  const pods = new Map<string, V1Pod>();
  const listeners = new Set<PodListener>();
  return {
    start: async () => undefined,
    list: () => [...pods.values()],
    get: (name) => pods.get(name),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: async () => undefined,
    emit(event, pod) {
      if (event === 'delete') pods.delete(pod.metadata!.name!);
      else pods.set(pod.metadata!.name!, pod);
      for (const listener of listeners) listener(event, pod);
    },
  };
}
