// The ConfigMap adapter against a mocked API server (undici MockAgent, as the runtime's unit
// tests do); not run against a real kube-apiserver.
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { ErrorCode } from '@warmgate/proto';
import { MockAgent, getGlobalDispatcher, setGlobalDispatcher, type Dispatcher } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HistorySnapshot } from '../pool/history-port.js';
import { createConfigMapHistoryStoreOver } from './configmap-history-store.js';

const SERVER = 'https://kube.test';
const NS = 'warmgate';
const PATH = `/api/v1/namespaces/${NS}/configmaps`;
const json = { headers: { 'content-type': 'application/json' } };

const snapshot: HistorySnapshot = {
  version: 1,
  bucketMs: 300_000,
  savedAt: 1,
  profiles: { standard: { days: { 20530: [1, 2, 3] } } },
};

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
const notFound = { kind: 'Status', code: 404, reason: 'NotFound' };

describe('the claim history ConfigMap (mocked API server)', () => {
  it('creates the ConfigMap on the first save, then replaces it with the version it wrote', async () => {
    const store = createConfigMapHistoryStoreOver(core, NS, 'pool-history');
    const bodies: { method: string; body: Record<string, unknown> }[] = [];
    api()
      .intercept({ path: `${PATH}/pool-history`, method: 'GET' })
      .reply(404, notFound, json);
    api()
      .intercept({ path: PATH, method: 'POST' })
      .reply((options) => {
        bodies.push({ method: 'POST', body: JSON.parse(String(options.body)) });
        return {
          statusCode: 201,
          data: { metadata: { resourceVersion: '7' } },
          responseOptions: json,
        };
      });
    api()
      .intercept({ path: `${PATH}/pool-history`, method: 'PUT' })
      .reply((options) => {
        bodies.push({ method: 'PUT', body: JSON.parse(String(options.body)) });
        return {
          statusCode: 200,
          data: { metadata: { resourceVersion: '8' } },
          responseOptions: json,
        };
      });
    await store.save(snapshot);
    await store.save({ ...snapshot, savedAt: 2 });
    expect(bodies.map((b) => b.method)).toEqual(['POST', 'PUT']);
    expect(bodies[1]!.body).toMatchObject({
      metadata: { name: 'pool-history', namespace: NS, resourceVersion: '7' },
    });
    const data = (bodies[1]!.body as { data: Record<string, string> }).data;
    expect(JSON.parse(data['claim-history.json']!)).toEqual({ ...snapshot, savedAt: 2 });
  });

  it('loads what was saved; none yet is undefined; bad JSON is an error the core warns about', async () => {
    const store = createConfigMapHistoryStoreOver(core, NS, 'pool-history');
    const map = (text: string) => ({
      metadata: { name: 'pool-history', resourceVersion: '3' },
      data: { 'claim-history.json': text },
    });
    const get = () => api().intercept({ path: `${PATH}/pool-history`, method: 'GET' });
    get().reply(200, map(JSON.stringify(snapshot)), json);
    expect(await store.load()).toEqual(snapshot);
    get().reply(404, notFound, json);
    expect(await store.load()).toBeUndefined();
    get().reply(200, map('{oops'), json);
    await expect(store.load()).rejects.toThrow(
      /configmap warmgate\/pool-history holds no valid JSON/,
    );
  });

  it('a conflicting write (a new leader saved first) fails and reads again before the next', async () => {
    const store = createConfigMapHistoryStoreOver(core, NS, 'pool-history');
    const current = { metadata: { name: 'pool-history', resourceVersion: '3' }, data: {} };
    api()
      .intercept({ path: `${PATH}/pool-history`, method: 'GET' })
      .reply(200, current, json);
    api()
      .intercept({ path: `${PATH}/pool-history`, method: 'PUT' })
      .reply(409, { kind: 'Status', code: 409, reason: 'Conflict' }, json);
    await expect(store.save(snapshot)).rejects.toMatchObject({ code: ErrorCode.ABORTED });
    let readAgain = false;
    api()
      .intercept({ path: `${PATH}/pool-history`, method: 'GET' })
      .reply(() => {
        readAgain = true;
        return {
          statusCode: 200,
          data: { ...current, metadata: { resourceVersion: '9' } },
          responseOptions: json,
        };
      });
    api()
      .intercept({ path: `${PATH}/pool-history`, method: 'PUT' })
      .reply(200, { metadata: { resourceVersion: '10' } }, json);
    await store.save(snapshot);
    expect(readAgain).toBe(true);
  });
});
