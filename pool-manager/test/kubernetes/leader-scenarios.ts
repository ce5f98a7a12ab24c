import { CoordinationV1Api } from '@kubernetes/client-node';
import { afterEach, beforeAll, expect, it } from 'vitest';
import {
  createKubernetesLeaseStore,
  createLeaderElector,
  type LeaderElector,
  type LeaseStore,
} from '../../src/leader/index.js';
import type { TestCluster } from './harness/cluster.js';
import { createNamespace } from './harness/fixtures.js';

/** Leader election over a real coordination.k8s.io/v1 Lease, with short (test) timings. */
export function leaderScenarios(cluster: () => TestCluster): void {
  let namespace: string;
  const running: LeaderElector[] = [];
  beforeAll(async () => {
    namespace = await createNamespace(cluster(), 'leader');
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((e) => e.stop()));
  });

  const candidate = (identity: string, lease: string, wrap = (s: LeaseStore) => s) => {
    const state = { leading: false, transitions: [] as string[] };
    const store = wrap(
      createKubernetesLeaseStore({ kubeConfig: cluster().kubeConfig(), namespace, name: lease }),
    );
    const elector = createLeaderElector({
      store,
      identity,
      leaseDurationMs: 2_000,
      renewDeadlineMs: 1_500,
      retryPeriodMs: 200,
      onStartedLeading: () => {
        state.leading = true;
        state.transitions.push('started');
      },
      onStoppedLeading: () => {
        state.leading = false;
        state.transitions.push('stopped');
      },
    });
    running.push(elector);
    elector.start();
    return state;
  };

  it('fails over when the leader stops renewing, and never has two leaders', async () => {
    let partitioned = false;
    const a = candidate('pool-manager-a', 'failover', (store) => ({
      get: () => (partitioned ? Promise.reject(new Error('partitioned')) : store.get()),
      create: (r) => store.create(r),
      update: (r, v) => store.update(r, v),
    }));
    await expect.poll(() => a.leading, { timeout: 5_000 }).toBe(true);
    const b = candidate('pool-manager-b', 'failover');
    let overlap = false;
    const watch = setInterval(() => (overlap ||= a.leading && b.leading), 20);
    try {
      partitioned = true;
      await expect.poll(() => b.leading, { timeout: 10_000 }).toBe(true);
      expect(a.transitions).toEqual(['started', 'stopped']);
    } finally {
      clearInterval(watch);
    }
    expect(overlap).toBe(false);
    const lease = await cluster()
      .kubeConfig()
      .makeApiClient(CoordinationV1Api)
      .readNamespacedLease({ name: 'failover', namespace });
    expect(lease.spec?.holderIdentity).toBe('pool-manager-b');
    expect(lease.spec?.leaseTransitions).toBe(1);
  });

  it('releases the lease on shutdown so the other candidate leads at once', async () => {
    const a = candidate('pool-manager-a', 'release');
    await expect.poll(() => a.leading, { timeout: 5_000 }).toBe(true);
    const b = candidate('pool-manager-b', 'release');
    await running[0]!.stop();
    expect(a.transitions).toEqual(['started', 'stopped']);
    // Well under the 2 s lease duration: b did not wait for expiry.
    await expect.poll(() => b.leading, { timeout: 1_000, interval: 50 }).toBe(true);
  });
}
