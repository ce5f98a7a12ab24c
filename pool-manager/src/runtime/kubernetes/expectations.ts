// In-flight creates and deletes, after agent-sandbox's warmpool_expectations: the watch cache
// lags the API server, so between "the API accepted our create" and "the watch shows the pod"
// list() would under-count and the pool would create again. Until the watch catches up, the
// runtime answers from here. Entries expire (injected clock) so a lost event cannot pin them.
import type { V1Pod } from '@kubernetes/client-node';
import { podName } from './pod-view.js';

export interface Expectations {
  /** The API server accepted this pod; count it until the watch shows it. */
  expectCreate(pod: V1Pod): void;
  /** We asked for this pod's deletion; hide it until the watch shows it gone. */
  expectDelete(name: string): void;
  /** The watch showed the pod (add/update) or showed it gone (delete). */
  observe(event: 'present' | 'gone', name: string): void;
  /** Drops a create that failed (the API refused it). */
  forgetCreate(name: string): void;
  /** Created pods the watch has not shown yet. */
  pendingCreates(): V1Pod[];
  isDeleting(name: string): boolean;
  /** How many expectations are open (for the tests and a gauge). */
  size(): number;
}

export function createExpectations(now: () => number, ttlMs = 5 * 60_000): Expectations {
  const creates = new Map<string, { pod: V1Pod; at: number }>();
  const deletes = new Map<string, number>();
  const expire = (): void => {
    const oldest = now() - ttlMs;
    for (const [name, entry] of creates) if (entry.at < oldest) creates.delete(name);
    for (const [name, at] of deletes) if (at < oldest) deletes.delete(name);
  };
  return {
    expectCreate(pod) {
      creates.set(podName(pod), { pod, at: now() });
    },
    expectDelete(name) {
      creates.delete(name);
      deletes.set(name, now());
    },
    observe(event, name) {
      if (event === 'present') creates.delete(name);
      else deletes.delete(name);
    },
    forgetCreate(name) {
      creates.delete(name);
    },
    pendingCreates() {
      expire();
      return [...creates.values()].map((entry) => entry.pod);
    },
    isDeleting(name) {
      expire();
      return deletes.has(name);
    },
    size() {
      expire();
      return creates.size + deletes.size;
    },
  };
}
