// Our own writes (claims, draining marks), visible to list() before the watch delivers them.
// Without this, list() right after a claim could still show the pod warm: the claim itself is
// safe (resourceVersion precondition), but the pool would count the pod twice. An entry is
// dropped once the watch shows the pod at that version or later, or when the pod is gone.
import type { V1Pod } from '@kubernetes/client-node';
import { podName } from './pod-view.js';

export interface OwnWrites {
  /** Records a write's result, unless `cached` (the watch's copy) is already as new. */
  record(pod: V1Pod, cached: V1Pod | undefined): void;
  /** A watch event for the pod (or its deletion). */
  observe(pod: V1Pod, gone: boolean): void;
  /** The pod as we last wrote it, if the watch has not caught up with it yet. */
  get(name: string): V1Pod | undefined;
}

export function createOwnWrites(): OwnWrites {
  const written = new Map<string, V1Pod>();
  return {
    record(pod, cached) {
      if (cached !== undefined && !isOlder(cached, pod)) return;
      written.set(podName(pod), pod);
    },
    observe(pod, gone) {
      const name = podName(pod);
      const ours = written.get(name);
      if (ours === undefined) return;
      if (gone || !isOlder(pod, ours)) written.delete(name);
    },
    get: (name) => written.get(name),
  };
}

/**
 * resourceVersions are opaque; equal means the same write. When both are integers (etcd
 * revisions, as on every API server today) order is known too; otherwise only equality counts.
 */
function isOlder(seen: V1Pod, ours: V1Pod): boolean {
  const a = seen.metadata?.resourceVersion ?? '';
  const b = ours.metadata?.resourceVersion ?? '';
  if (a === b) return false;
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) return BigInt(a) < BigInt(b);
  return true;
}
