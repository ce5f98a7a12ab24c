// A binding's assertion key is a secret, so it lives in a Secret owned by the pod (deleted
// with it by the garbage collector), never in a label or annotation. The pod's annotation
// names the Secret, so a restarted pool manager can hand the same binding back.
import { createHash } from 'node:crypto';
import type { CoreV1Api, V1Pod } from '@kubernetes/client-node';
import { fromApiError, isNotFound } from './api-errors.js';
import { LABEL_COMPONENT, ownerLabels } from './labels.js';

export const ANNOTATION_SECRET = 'warmgate.dev/assertion-secret';
const KEY = 'assertionKey';

export function bindingSecretName(podName: string, bindingId: string): string {
  const suffix = createHash('sha256').update(bindingId).digest('hex').slice(0, 10);
  return `${podName.slice(0, 240)}-b-${suffix}`;
}

export interface BindingSecrets {
  /** Creates the Secret; an existing one (a retried claim of the same binding) is fine. */
  put(pod: V1Pod, name: string, assertionKey: string): Promise<void>;
  /** The assertion key, or undefined when the Secret is gone. */
  get(name: string): Promise<string | undefined>;
  /** Idempotent. */
  remove(name: string): Promise<void>;
}

export function createBindingSecrets(
  core: CoreV1Api,
  namespace: string,
  instance: string | undefined,
): BindingSecrets {
  // A Secret's key never changes, so list() need not read it from the API server twice.
  const known = new Map<string, string>();
  return {
    async put(pod, name, assertionKey) {
      try {
        await core.createNamespacedSecret({
          namespace,
          body: {
            apiVersion: 'v1',
            kind: 'Secret',
            type: 'Opaque',
            metadata: {
              name,
              labels: { ...ownerLabels(instance), [LABEL_COMPONENT]: 'binding' },
              ownerReferences: [
                {
                  apiVersion: 'v1',
                  kind: 'Pod',
                  name: pod.metadata?.name ?? '',
                  uid: pod.metadata?.uid ?? '',
                },
              ],
            },
            stringData: { [KEY]: assertionKey },
          },
        });
        known.set(name, assertionKey);
      } catch (error) {
        // Already there: a retried claim of the same binding. Its key is read when needed.
        if ((error as { code?: number }).code === 409) return;
        throw fromApiError(error, `creating binding secret ${name}`);
      }
    },
    async get(name) {
      const cached = known.get(name);
      if (cached !== undefined) return cached;
      try {
        const secret = await core.readNamespacedSecret({ name, namespace });
        const data = secret.data?.[KEY];
        if (data === undefined) return undefined;
        const key = Buffer.from(data, 'base64').toString('utf8');
        known.set(name, key);
        return key;
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw fromApiError(error, `reading binding secret ${name}`);
      }
    },
    async remove(name) {
      known.delete(name);
      try {
        await core.deleteNamespacedSecret({ name, namespace });
      } catch (error) {
        if (isNotFound(error)) return;
        throw fromApiError(error, `deleting binding secret ${name}`);
      }
    },
  };
}
