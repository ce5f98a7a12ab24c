// The watch-fed view of this pool manager's pods (a client-node informer = list + watch),
// restarted with backoff when the watch fails, so readiness and list() never depend on polling.
import { makeInformer, type CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { errors } from '@warmgate/proto';
import { fromApiError } from './api-errors.js';
import { podName } from './pod-view.js';

export type PodEvent = 'add' | 'update' | 'delete';
export type PodListener = (event: PodEvent, pod: V1Pod) => void;

export interface PodCache {
  /** Lists, then watches; resolves once the first list is in the cache. */
  start(): Promise<void>;
  list(): V1Pod[];
  get(name: string): V1Pod | undefined;
  subscribe(listener: PodListener): () => void;
  close(): Promise<void>;
}

export interface InformerPodCacheOptions {
  readonly kubeConfig: KubeConfig;
  readonly core: CoreV1Api;
  readonly namespace: string;
  readonly labelSelector: string;
  readonly onError?: (error: unknown) => void;
}

const MAX_BACKOFF_MS = 30_000;

export function createInformerPodCache(options: InformerPodCacheOptions): PodCache {
  const { kubeConfig, core, namespace, labelSelector } = options;
  const informer = makeInformer<V1Pod>(
    kubeConfig,
    `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`,
    () => core.listNamespacedPod({ namespace, labelSelector }),
    labelSelector,
  );
  const listeners = new Set<PodListener>();
  const emit = (event: PodEvent) => (pod: V1Pod) => {
    for (const listener of listeners) listener(event, pod);
  };
  informer.on('add', emit('add'));
  informer.on('update', emit('update'));
  informer.on('delete', emit('delete'));

  let closed = false;
  let startError: unknown;
  let backoffMs = 500;
  let timer: NodeJS.Timeout | undefined;
  // client-node's ListWatch stops on any error other than 410/timeout; restart it, backing off.
  informer.on('error', (error: unknown) => {
    startError = error;
    if (closed) return;
    options.onError?.(error);
    timer = setTimeout(() => {
      timer = undefined;
      if (!closed) informer.start().catch((e: unknown) => options.onError?.(e));
    }, backoffMs);
    backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
  });
  informer.on('connect', () => {
    backoffMs = 500;
  });

  return {
    async start() {
      startError = undefined;
      await informer.start();
      if (startError !== undefined) {
        await this.close();
        throw fromApiError(startError, `listing pods in namespace ${namespace}`);
      }
    },
    list: () => [...informer.list(namespace)],
    get: (name) => informer.get(name, namespace),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      listeners.clear();
      await informer.stop();
    },
  };
}

/** Resolves with the first cached state of `name` that `done` accepts; rejects if it goes away. */
export function waitForPod(
  cache: PodCache,
  name: string,
  done: (pod: V1Pod) => boolean,
  { signal, timeoutMs }: { signal?: AbortSignal; timeoutMs: number },
): Promise<V1Pod> {
  return new Promise<V1Pod>((resolve, reject) => {
    const finish = (fn: () => void): void => {
      unsubscribe();
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = (): void =>
      finish(() => reject(signal?.reason ?? new DOMException('aborted', 'AbortError')));
    const unsubscribe = cache.subscribe((event, pod) => {
      if (podName(pod) !== name) return;
      if (event === 'delete')
        finish(() => reject(errors.unavailable(`pod ${name} was deleted before it became ready`)));
      else if (done(pod)) finish(() => resolve(pod));
    });
    const timer = setTimeout(
      () =>
        finish(() =>
          reject(errors.deadlineExceeded(`pod ${name} not ready after ${timeoutMs} ms`)),
        ),
      timeoutMs,
    );
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const current = cache.get(name);
    if (current !== undefined && done(current)) finish(() => resolve(current));
  });
}
