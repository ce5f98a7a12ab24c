import { CoordinationV1Api, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import { fromApiError, isNotFound } from '../runtime/kubernetes/api-errors.js';
import type { LeaseRecord, LeaseStore, StoredLease, WriteResult } from './lease-store.js';

export interface KubernetesLeaseStoreOptions {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  readonly name: string;
}

/**
 * The election record as a coordination.k8s.io/v1 Lease. Writes carry the resourceVersion
 * read, so two candidates can never both succeed: the API server answers the loser 409.
 */
export function createKubernetesLeaseStore(options: KubernetesLeaseStoreOptions): LeaseStore {
  const { namespace, name } = options;
  const api = options.kubeConfig.makeApiClient(CoordinationV1Api);
  const body = (record: LeaseRecord, resourceVersion?: string): V1Lease => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace, ...(resourceVersion === undefined ? {} : { resourceVersion }) },
    spec: {
      holderIdentity: record.holderIdentity,
      leaseDurationSeconds: record.leaseDurationSeconds,
      acquireTime: microTime(record.acquireTime),
      renewTime: microTime(record.renewTime),
      leaseTransitions: record.leaseTransitions,
    },
  });
  const written = async (write: () => Promise<unknown>, what: string): Promise<WriteResult> => {
    try {
      await write();
      return { ok: true };
    } catch (error) {
      if ((error as { code?: number }).code === 409) return { ok: false, conflict: true };
      throw fromApiError(error, what);
    }
  };
  return {
    async get() {
      try {
        return fromLease(await api.readNamespacedLease({ name, namespace }));
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw fromApiError(error, `reading lease ${namespace}/${name}`);
      }
    },
    create: (record) =>
      written(
        () => api.createNamespacedLease({ namespace, body: body(record) }),
        `creating lease ${name}`,
      ),
    update: (record, version) =>
      written(
        () => api.replaceNamespacedLease({ name, namespace, body: body(record, version) }),
        `updating lease ${name}`,
      ),
  };
}

function fromLease(lease: V1Lease): StoredLease {
  const spec = lease.spec ?? {};
  const time = (value: Date | string | undefined): number =>
    value === undefined ? 0 : value instanceof Date ? value.getTime() : Date.parse(value);
  return {
    holderIdentity: spec.holderIdentity ?? '',
    leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
    acquireTime: time(spec.acquireTime as Date | string | undefined),
    renewTime: time(spec.renewTime as Date | string | undefined),
    leaseTransitions: spec.leaseTransitions ?? 0,
    version: lease.metadata?.resourceVersion ?? '',
  };
}

/**
 * MicroTime as the API server parses it (six fractional digits). client-node serialises a
 * Date with toISOString (three digits), which the server refuses, but passes strings through.
 */
function microTime(ms: number): Date {
  return new Date(ms).toISOString().replace(/Z$/, '000Z') as unknown as Date;
}
