// Where the election's one record lives. The Kubernetes store is a coordination.k8s.io/v1
// Lease; the unit tests use an in-memory one with the same optimistic-concurrency contract.

export interface LeaseRecord {
  /** '' when nobody holds it (released). */
  readonly holderIdentity: string;
  readonly leaseDurationSeconds: number;
  readonly acquireTime: number;
  readonly renewTime: number;
  readonly leaseTransitions: number;
}

export interface StoredLease extends LeaseRecord {
  /** Opaque version: an update with a stale one fails with `conflict: true`. */
  readonly version: string;
}

export type WriteResult =
  { readonly ok: true } | { readonly ok: false; readonly conflict: boolean };

export interface LeaseStore {
  /** The current record, or undefined when there is none yet. */
  get(): Promise<StoredLease | undefined>;
  /** Creates the record; `conflict` when someone else created it first. */
  create(record: LeaseRecord): Promise<WriteResult>;
  /** Replaces the record if it is still at `version`; `conflict` otherwise. */
  update(record: LeaseRecord, version: string): Promise<WriteResult>;
}

/** An in-memory store (tests; a single process needs no election). */
export function createMemoryLeaseStore(): LeaseStore & { current(): StoredLease | undefined } {
  let stored: StoredLease | undefined;
  let counter = 0;
  const write = (record: LeaseRecord): WriteResult => {
    counter += 1;
    stored = { ...record, version: String(counter) };
    return { ok: true };
  };
  return {
    current: () => stored,
    get: async () => stored,
    create: async (record) => (stored ? { ok: false, conflict: true } : write(record)),
    update: async (record, version) =>
      stored?.version === version ? write(record) : { ok: false, conflict: true },
  };
}
