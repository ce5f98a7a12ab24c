// The runtime's API conversation with a mocked HTTP layer (undici MockAgent; client-node 2.x
// fetches through undici's global dispatcher when the cluster needs no TLS options). What a
// real API server adds — watches, admission, 409s from real concurrency — is in
// test/kubernetes against kube-apiserver.
import { CoreV1Api, KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { ErrorCode } from '@warmgate/proto';
import { MockAgent, getGlobalDispatcher, setGlobalDispatcher, type Dispatcher } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClaimRecord } from '../runtime.js';
import { createRuntimeOver } from './kubernetes-runtime.js';
import type { RuntimeMetrics } from './runtime-metrics.js';
import { fakePodCache } from './fake-pod-cache.test-support.js';
import type { PodTemplate } from './pod-template.js';

const SERVER = 'https://kube.test';
const NS = 'agents';

const template: PodTemplate = {
  spec: {
    containers: [
      { name: 'agent', image: 'a', ports: [{ name: 'mcp', containerPort: 8090 }] },
      { name: 'sidecar', image: 'a', ports: [{ name: 'lifecycle', containerPort: 8091 }] },
    ],
  },
};

const claim: ClaimRecord = {
  userId: 'alice',
  bindingId: 'b-1',
  tier: 'pro',
  mode: 2,
  claimedAt: 1,
  assertionKey: 'a2V5',
};

function readyPod(name: string, resourceVersion = '5', state = 'warm'): V1Pod {
  return {
    metadata: {
      name,
      namespace: NS,
      uid: 'uid-1',
      resourceVersion,
      labels: { 'warmgate.dev/profile': 'standard', 'warmgate.dev/state': state },
    },
    status: {
      phase: 'Running',
      podIP: '10.0.0.7',
      conditions: [{ type: 'Ready', status: 'True' }],
    },
  };
}

const fakeCache = fakePodCache;

let agent: MockAgent;
let previous: Dispatcher;
let core: CoreV1Api;

beforeEach(() => {
  previous = getGlobalDispatcher();
  agent = new MockAgent();
  agent.disableNetConnect();
  setGlobalDispatcher(agent);
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'c', server: SERVER }],
    users: [{ name: 'u', token: 'test-token' }],
    contexts: [{ name: 'c', cluster: 'c', user: 'u' }],
    currentContext: 'c',
  });
  core = config.makeApiClient(CoreV1Api);
});
afterEach(async () => {
  setGlobalDispatcher(previous);
  await agent.close();
});

const api = () => agent.get(SERVER);
const json = { headers: { 'content-type': 'application/json' } };

describe('kubernetes runtime (mocked API server)', () => {
  it('claims with a merge patch that carries the resourceVersion it read', async () => {
    const cache = fakeCache();
    const runtime = createRuntimeOver(core, cache, { namespace: NS, podTemplate: template });
    let patch: { contentType: string; body: unknown } | undefined;
    api()
      .intercept({ path: `/api/v1/namespaces/${NS}/pods/p1`, method: 'GET' })
      .reply(200, readyPod('p1'), json);
    api()
      .intercept({ path: `/api/v1/namespaces/${NS}/secrets`, method: 'POST' })
      .reply(201, {}, json);
    api()
      .intercept({ path: `/api/v1/namespaces/${NS}/pods/p1`, method: 'PATCH' })
      .reply((options) => {
        const headers = new Headers(options.headers as Record<string, string>);
        patch = {
          contentType: headers.get('content-type') ?? '',
          body: JSON.parse(String(options.body)),
        };
        return { statusCode: 200, data: readyPod('p1', '6', 'claimed'), responseOptions: json };
      });
    const container = await runtime.claim('p1', claim);
    expect(patch?.contentType).toBe('application/merge-patch+json');
    expect(patch?.body).toMatchObject({
      metadata: {
        resourceVersion: '5',
        labels: { 'warmgate.dev/state': 'claimed' },
        annotations: { 'warmgate.dev/binding-id': 'b-1', 'warmgate.dev/user-id': 'alice' },
      },
    });
    expect(JSON.stringify(patch?.body)).not.toContain(claim.assertionKey);
    expect(container).toMatchObject({
      id: 'p1',
      mcpUrl: 'http://10.0.0.7:8090/mcp',
      lifecycleAddress: '10.0.0.7:8091',
    });
  });

  it('turns a 409 into ABORTED and removes the Secret it made for the lost claim', async () => {
    const counted: string[] = [];
    const metrics: RuntimeMetrics = {
      podReady: () => counted.push('ready'),
      claimConflict: () => counted.push('conflict'),
      apiError: (operation, error) => counted.push(`${operation}:${error.code}`),
      watchRestart: () => counted.push('restart'),
    };
    const runtime = createRuntimeOver(core, fakeCache(), {
      namespace: NS,
      podTemplate: template,
      metrics,
    });
    let secretDeleted = false;
    api()
      .intercept({ path: `/api/v1/namespaces/${NS}/pods/p1`, method: 'GET' })
      .reply(200, readyPod('p1'), json);
    api()
      .intercept({ path: `/api/v1/namespaces/${NS}/secrets`, method: 'POST' })
      .reply(201, {}, json);
    api()
      .intercept({ path: `/api/v1/namespaces/${NS}/pods/p1`, method: 'PATCH' })
      .reply(
        409,
        { kind: 'Status', code: 409, reason: 'Conflict', message: 'the object has been modified' },
        json,
      );
    api()
      .intercept({
        path: (p) => p.startsWith(`/api/v1/namespaces/${NS}/secrets/p1-b-`),
        method: 'DELETE',
      })
      .reply(() => {
        secretDeleted = true;
        return { statusCode: 200, data: {}, responseOptions: json };
      });
    await expect(runtime.claim('p1', claim)).rejects.toMatchObject({ code: ErrorCode.ABORTED });
    expect(secretDeleted).toBe(true);
    expect(counted).toEqual(['conflict']);
  });

  it('refuses an already claimed pod without writing anything', async () => {
    const runtime = createRuntimeOver(core, fakeCache(), { namespace: NS, podTemplate: template });
    const other = readyPod('p1', '9', 'claimed');
    other.metadata!.annotations = { 'warmgate.dev/binding-id': 'someone-else' };
    api()
      .intercept({ path: `/api/v1/namespaces/${NS}/pods/p1`, method: 'GET' })
      .reply(200, other, json);
    await expect(runtime.claim('p1', claim)).rejects.toMatchObject({ code: ErrorCode.ABORTED });
    agent.assertNoPendingInterceptors();
  });

  it('creates a labelled pod and resolves when the watch shows it ready', async () => {
    const cache = fakeCache();
    const runtime = createRuntimeOver(core, cache, {
      namespace: NS,
      podTemplate: template,
      instance: 'wg',
    });
    let created: V1Pod | undefined;
    api()
      .intercept({ path: `/api/v1/namespaces/${NS}/pods`, method: 'POST' })
      .reply((options) => {
        created = JSON.parse(String(options.body)) as V1Pod;
        return {
          statusCode: 201,
          data: { ...created, metadata: { ...created.metadata, resourceVersion: '1' } },
          responseOptions: json,
        };
      });
    const pending = runtime.create({ name: 'standard', resources: { cpu: '1' } });
    await expect.poll(() => created).toBeDefined();
    expect(created?.metadata?.labels).toMatchObject({
      'app.kubernetes.io/part-of': 'warmgate',
      'app.kubernetes.io/instance': 'wg',
      'warmgate.dev/profile': 'standard',
      'warmgate.dev/state': 'warm',
    });
    expect(created?.spec?.restartPolicy).toBe('Never');
    expect(created?.spec?.containers[0]?.resources?.requests).toEqual({ cpu: '1' });
    // Counted while the watch has not shown it yet, as 'starting'.
    await expect.poll(async () => (await runtime.list()).map((c) => c.phase)).toEqual(['starting']);
    cache.emit('add', { ...readyPod(created!.metadata!.name!), metadata: created!.metadata! });
    const container = await pending;
    expect(container.phase).toBe('warm');
  });

  it('maps API failures to codes that blame no caller', async () => {
    const runtime = createRuntimeOver(core, fakeCache(), { namespace: NS, podTemplate: template });
    api()
      .intercept({ path: `/api/v1/namespaces/${NS}/pods/p1`, method: 'GET' })
      .reply(503, 'overloaded');
    await expect(runtime.claim('p1', claim)).rejects.toMatchObject({ code: ErrorCode.UNAVAILABLE });
    api()
      .intercept({ path: `/api/v1/namespaces/${NS}/pods/p1`, method: 'GET' })
      .reply(403, { message: 'forbidden' }, json);
    await expect(runtime.claim('p1', claim)).rejects.toMatchObject({ code: ErrorCode.INTERNAL });
    api()
      .intercept({ path: `/api/v1/namespaces/${NS}/pods/gone`, method: 'DELETE' })
      .reply(404, { message: 'not found' }, json);
    await expect(runtime.destroy('gone')).resolves.toBeUndefined();
  });
});
