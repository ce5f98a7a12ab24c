import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from '@bufbuild/protobuf';
import { credentials, makeGenericClientConstructor, type ServiceError } from '@grpc/grpc-js';
import { CoordinationV1Api, CoreV1Api } from '@kubernetes/client-node';
import { agentv1, AuthMode, ErrorCode, errors, WarmgateError } from '@warmgate/proto';
import { service as healthService } from 'grpc-health-check';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { loadConfig, startPoolManager, type RunningPoolManager } from '../../src/index.js';
import type { LifecyclePort } from '../../src/pool/lifecycle-port.js';
import {
  poolClient,
  spawnPoolManager,
  TEST_POOL_SECRET,
  type PoolManagerProcess,
} from '../support.js';
import type { TestCluster } from './harness/cluster.js';
import { createNamespace, testPodTemplate } from './harness/fixtures.js';

/**
 * The pool manager with the chart's settings against the real API server: as processes
 * (`node pool-manager/dist/main.js`), one takes the Lease and serves, the other stands by;
 * in-process, the leader fills its warm pool with pods kwok runs. kwok pods run no processes,
 * so their sidecars are answered in-process there, and nothing is bound.
 */
export function mainScenarios(cluster: () => TestCluster): void {
  let namespace: string;
  let dir: string;
  const processes: PoolManagerProcess[] = [];
  const inProcess: RunningPoolManager[] = [];
  beforeAll(async () => {
    namespace = await createNamespace(cluster(), 'main');
    dir = await mkdtemp(join(tmpdir(), 'warmgate-pm-main-'));
    const template = testPodTemplate(cluster().nodeName);
    await writeFile(join(dir, 'agent-pod.json'), JSON.stringify(template));
  });
  afterEach(async () => {
    // Standby first, so the leader's lease is not taken over while it shuts down.
    for (const pm of processes.splice(0).reverse()) {
      pm.child.kill('SIGTERM');
      expect(await pm.exited, pm.output()).toBe(0);
    }
    await Promise.all(inProcess.splice(0).map((pm) => pm.close()));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** What the chart sets (pool-manager-deployment.yaml), on loopback. */
  const chartEnv = (identity: string, lease: string, profiles: string) => ({
    WARMGATE_POOL_RUNTIME: 'kubernetes',
    WARMGATE_POOL_NAMESPACE: namespace,
    WARMGATE_POOL_INSTANCE: lease,
    WARMGATE_POOL_POD_TEMPLATE: join(dir, 'agent-pod.json'),
    WARMGATE_POOL_PROFILES: profiles,
    WARMGATE_POOL_ADAPTIVE: 'false',
    WARMGATE_POOL_LEADER_LEASE: lease,
    WARMGATE_POOL_IDENTITY: identity,
    WARMGATE_STORE_URL: 'http://127.0.0.1:9',
    WARMGATE_STORE_SECRET: 'x'.repeat(32),
    WARMGATE_POOL_SECRET: TEST_POOL_SECRET,
    WARMGATE_POOL_HOST: '127.0.0.1',
    WARMGATE_POOL_PORT: '0',
    WARMGATE_POOL_METRICS_PORT: '0',
    WARMGATE_POOL_SHUTDOWN_GRACE: '5s',
  });

  it('as processes: the first leads and serves, the second stands by', async () => {
    const env = (identity: string) => ({
      ...chartEnv(identity, 'pm-processes', 'standard:min=0:max=2'),
      KUBECONFIG: cluster().kubeconfigPath,
    });
    const leader = await spawnPoolManager(env('pool-manager-a'));
    processes.push(leader);
    const leaderPool = poolClient(leader.address);
    try {
      await expect
        .poll(async () => (await leaderPool.getStatus({})).state?.leader, { timeout: 10_000 })
        .toBe(true);
      expect(await healthOf(leader.address)).toBe('SERVING');
      const lease = await cluster()
        .kubeConfig()
        .makeApiClient(CoordinationV1Api)
        .readNamespacedLease({ name: 'pm-processes', namespace });
      expect(lease.spec?.holderIdentity).toBe('pool-manager-a');
    } finally {
      leaderPool.close();
    }

    const standby = await spawnPoolManager(env('pool-manager-b'));
    processes.push(standby);
    const standbyPool = poolClient(standby.address);
    try {
      expect(await healthOf(standby.address)).toBe('NOT_SERVING');
      expect((await standbyPool.getStatus({})).state?.leader).toBe(false);
      const refused = await standbyPool
        .acquire({ userId: 'alice', tier: 'free', mode: AuthMode.GATEWAY })
        .then(
          () => undefined,
          (error: unknown) => WarmgateError.from(error),
        );
      expect(refused?.code).toBe(ErrorCode.UNAVAILABLE);
      expect(refused?.message).toContain('not the leader');
    } finally {
      standbyPool.close();
    }
  }, 30_000);

  it('in-process: the leader fills the warm pool with running pods', async () => {
    const config = loadConfig(chartEnv('pool-manager-a', 'pm-in-process', 'standard:min=2:max=4'));
    const pm = await startPoolManager(config, {
      kubeConfig: cluster().kubeConfig(),
      lifecycle: sidecarsAnswerWarm(),
      log: () => {},
    });
    inProcess.push(pm);
    await expect
      .poll(() => pm.core?.state().profiles[0]?.warm, { timeout: 20_000, interval: 100 })
      .toBe(2);
    const pods = await cluster()
      .kubeConfig()
      .makeApiClient(CoreV1Api)
      .listNamespacedPod({ namespace, labelSelector: 'app.kubernetes.io/instance=pm-in-process' });
    expect(pods.items.map((p) => p.status?.phase)).toEqual(['Running', 'Running']);
  }, 30_000);
}

/** Every sidecar answers GetStatus WARM (kwok pods run none); nothing binds. */
function sidecarsAnswerWarm(): LifecyclePort {
  return {
    status: async () => create(agentv1.GetStatusResponseSchema, { state: agentv1.AgentState.WARM }),
    bind: () => Promise.reject(errors.unavailable('no sidecar in a kwok pod')),
    drain: () => Promise.reject(errors.unavailable('no sidecar in a kwok pod')),
    forget: () => {},
    close: () => {},
  };
}

/** grpc.health.v1 Check of the whole server ('' service), as the chart's readiness probe. */
async function healthOf(address: string): Promise<string> {
  const Health = makeGenericClientConstructor(healthService, 'Health');
  const client = new Health(address, credentials.createInsecure());
  try {
    return await new Promise<string>((resolve, reject) => {
      const check = client.check as unknown as (
        request: { service: string },
        callback: (error: ServiceError | null, response?: { status: string }) => void,
      ) => void;
      check.call(client, { service: '' }, (error, response) =>
        error ? reject(error) : resolve(response!.status),
      );
    });
  } finally {
    client.close();
  }
}
