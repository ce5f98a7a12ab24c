// The claim history on Kubernetes: one ConfigMap beside the pool manager (only the leader
// runs the pool core, so only the leader writes it). A new leader reads what the last one
// saved. Created on the first save; replaced with the resourceVersion read, so a write from
// a deposed leader that raced the new one fails with 409 instead of overwriting it.
import { CoreV1Api, type KubeConfig, type V1ConfigMap } from '@kubernetes/client-node';
import { fromApiError, isNotFound } from '../runtime/kubernetes/api-errors.js';
import type { HistorySnapshot, HistoryStore } from '../pool/history-port.js';
import { historyFileName } from './file-history-store.js';

export interface ConfigMapHistoryStoreOptions {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  readonly name: string;
}

export function createConfigMapHistoryStore(options: ConfigMapHistoryStoreOptions): HistoryStore {
  return createConfigMapHistoryStoreOver(
    options.kubeConfig.makeApiClient(CoreV1Api),
    options.namespace,
    options.name,
  );
}

export function createConfigMapHistoryStoreOver(
  api: CoreV1Api,
  namespace: string,
  name: string,
): HistoryStore {
  /** The resourceVersion last read or written; undefined: the ConfigMap does not exist yet. */
  let version: string | undefined;
  const read = async (): Promise<V1ConfigMap | undefined> => {
    try {
      const map = await api.readNamespacedConfigMap({ name, namespace });
      version = map.metadata?.resourceVersion;
      return map;
    } catch (error) {
      if (isNotFound(error)) {
        version = undefined;
        return undefined;
      }
      throw fromApiError(error, `reading configmap ${namespace}/${name}`);
    }
  };
  const body = (snapshot: HistorySnapshot, resourceVersion?: string): V1ConfigMap => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name,
      namespace,
      labels: { 'app.kubernetes.io/component': 'pool-manager' },
      ...(resourceVersion === undefined ? {} : { resourceVersion }),
    },
    data: { [historyFileName]: JSON.stringify(snapshot) },
  });
  return {
    async load() {
      const text = (await read())?.data?.[historyFileName];
      if (text === undefined) return undefined;
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new Error(`configmap ${namespace}/${name} holds no valid JSON`);
      }
    },
    async save(snapshot) {
      if (version === undefined) await read();
      try {
        const written =
          version === undefined
            ? await api.createNamespacedConfigMap({ namespace, body: body(snapshot) })
            : await api.replaceNamespacedConfigMap({
                name,
                namespace,
                body: body(snapshot, version),
              });
        version = written.metadata?.resourceVersion;
      } catch (error) {
        version = undefined; // read again before the next save
        throw fromApiError(error, `saving configmap ${namespace}/${name}`);
      }
    },
  };
}
