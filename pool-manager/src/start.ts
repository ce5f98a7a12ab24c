import { randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Server } from '@grpc/grpc-js';
import type { KubeConfig } from '@kubernetes/client-node';
import { createDirectVerifier, ensureStore, repoUrlFor } from '@warmgate/contract';
import { HealthImplementation } from 'grpc-health-check';
import { poolv1 } from '@warmgate/proto';
import {
  addReflection,
  addService,
  healthService,
  listen,
  requireBearer,
} from '@warmgate/proto/grpc';
import type { PoolManagerConfig } from './config.js';
import { createConfigMapHistoryStore } from './history/configmap-history-store.js';
import { createFileHistoryStore } from './history/file-history-store.js';
import { createKubernetesLeaseStore, createLeaderElector } from './leader/index.js';
import { createGrpcLifecycle } from './lifecycle/grpc-lifecycle.js';
import type { HistoryStore } from './pool/history-port.js';
import type { LifecyclePort, RepositoryResolver } from './pool/lifecycle-port.js';
import { PoolCore } from './pool/pool-core.js';
import type { Runtime } from './pool/runtime-port.js';
import {
  containerSecrets,
  writeSecretFile,
  type ContainerSecrets,
} from './runtime/container-secret.js';
import { kubeConfigFromEnvironment, startKubernetesRuntime } from './runtime/kubernetes/index.js';
import { deadContainerCounter, startDockerRuntime } from './runtime/docker/index.js';
import { createLocalRuntime } from './runtime/local/local-runtime.js';
import { startLoopbackStore, type LoopbackStore } from './wiring/loopback-store.js';
import { checkBubblewrap } from './runtime/local/bubblewrap.js';
import { applyEmbeddedPolicy } from './store-server/embedded-policy.js';
import { createDirectAcquire } from './service/direct-acquire.js';
import { createGatedPoolService } from './wiring/gated-pool-service.js';
import { electedLeadership, soleLeadership, type Leadership } from './wiring/leadership.js';
import { ephemeralOnly, withStoreRepositories } from './wiring/store-binds.js';

export interface StartOptions {
  /** Another Runtime; defaults to the one the config names (local processes or Kubernetes). */
  runtime?: Runtime;
  /**
   * Wraps the runtime in use (the given one, or the one the config names, made with
   * everything it needs, e.g. the Docker runtime's store socket); benchmarks time its calls.
   */
  wrapRuntime?: (runtime: Runtime) => Runtime;
  lifecycle?: LifecyclePort;
  repositoryFor?: RepositoryResolver;
  /** Cluster credentials for the Kubernetes runtime and the Lease; default: the environment. */
  kubeConfig?: KubeConfig;
  /** Where the learned claim history is kept; default: the one the config names. */
  history?: HistoryStore;
  log?: (message: string) => void;
}

export interface RunningPoolManager {
  /** host:port of the Pool gRPC service. */
  readonly address: string;
  readonly port: number;
  /** The deployment secret Pool callers must send (configured, or generated in the state dir). */
  readonly secret: string;
  /** The pool core while this process leads (always, without a leader lease). */
  readonly core: PoolCore | undefined;
  /** Drains every binding (bounded by the configured grace), destroys warm containers, stops. */
  close(): Promise<void>;
}

/**
 * Starts the pool manager: serves Pool + health, and — as the leader, or always without a
 * leader lease — recovers leftovers and fills the warm pools. A standby reports NOT_SERVING.
 */
export async function startPoolManager(
  config: PoolManagerConfig,
  options: StartOptions = {},
): Promise<RunningPoolManager> {
  const log = options.log ?? ((message: string) => console.error(`pool-manager: ${message}`));
  const kubeConfig = () => (options.kubeConfig ??= kubeConfigFromEnvironment());
  const secret = config.secret ?? (await localSecret(config.runtime.stateDir));
  const sidecarSecrets = containerSecrets(secret);
  let repositoryFor = options.repositoryFor;
  let closeStore = async () => {};
  // Containers never see the store folder: each binding reaches its own user's repository
  // over git smart HTTP (on Docker through its container's store.sock), with a credential
  // good for that binding only.
  const viaLoopback = config.runtime.docker ?? config.runtime.bubblewrap;
  const store =
    repositoryFor === undefined && config.store.kind === 'embedded' && viaLoopback
      ? await startLoopbackStore(config.store, secret, log)
      : undefined;
  let runtime: Runtime;
  try {
    runtime = options.runtime ?? (await runtimeFor(config, sidecarSecrets, kubeConfig, log, store));
    if (options.wrapRuntime) runtime = options.wrapRuntime(runtime);
  } catch (error) {
    await store?.close();
    throw error;
  }
  let lifecycle = options.lifecycle ?? createGrpcLifecycle(sidecarSecrets);
  if (store && viaLoopback) {
    closeStore = store.close;
    lifecycle = withStoreRepositories(lifecycle, {
      storeUrl: store.url,
      secret: store.secret,
      credentialTtlMs: viaLoopback.storeCredentialTtlMs,
      log,
    });
    repositoryFor = ephemeralOnly;
  } else if (repositoryFor === undefined && config.store.kind === 'remote') {
    const { url: storeUrl, secret: storeSecret, credentialTtlMs } = config.store;
    lifecycle = withStoreRepositories(lifecycle, {
      storeUrl,
      secret: storeSecret,
      credentialTtlMs,
      log,
    });
    repositoryFor = ephemeralOnly;
  } else if (repositoryFor === undefined && config.store.kind === 'embedded') {
    repositoryFor = await embeddedStore(config.store.dir, config.store.quotaBytes, log);
  }
  const history = options.history ?? historyFor(config, kubeConfig);
  const deps = { runtime, lifecycle, repositoryFor: repositoryFor!, log, history };
  const makeCore = () => new PoolCore(config.core, deps);

  const health = new HealthImplementation({});
  const serving = (leading: boolean) => {
    const status = leading ? 'SERVING' : 'NOT_SERVING';
    health.setStatus('', status);
    health.setStatus(poolv1.Pool.typeName, status);
  };
  serving(false);
  let leadership: Leadership;
  try {
    leadership = config.leader
      ? electedLeader(config, kubeConfig(), makeCore, serving, log)
      : await soleLeadership(makeCore());
  } catch (error) {
    lifecycle.close();
    await runtime.close();
    await closeStore();
    throw error;
  }
  if (!config.leader) serving(true);

  const server = new Server();
  addService(
    server,
    poolv1.Pool,
    createGatedPoolService(
      () => leadership.core(),
      config.direct &&
        createDirectAcquire(
          createDirectVerifier(config.direct.jwePrivateKey, config.direct.issuerKeys),
          config.direct,
        ),
    ),
    { authenticate: requireBearer(secret, 'Pool') },
  );
  health.addToServer(server);
  addReflection(server, [poolv1.Pool, healthService]);
  let port: number;
  try {
    port = await listen(server, config.host, config.port);
  } catch (error) {
    await leadership.close(config.shutdownGraceMs);
    lifecycle.close();
    await runtime.close();
    await closeStore();
    throw error;
  }
  let closing: Promise<void> | undefined;
  const close = async () => {
    serving(false);
    await leadership.close(config.shutdownGraceMs);
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    server.forceShutdown();
    lifecycle.close();
    await runtime.close();
    await closeStore();
  };
  return {
    address: `${config.host}:${port}`,
    port,
    secret,
    get core() {
      return leadership.core();
    },
    close: () => (closing ??= close()),
  };
}

function historyFor(config: PoolManagerConfig, kubeConfig: () => KubeConfig): HistoryStore {
  if (config.history.kind === 'file') return createFileHistoryStore(config.history.dir);
  const { namespace, name } = config.history;
  return createConfigMapHistoryStore({ kubeConfig: kubeConfig(), namespace, name });
}

async function runtimeFor(
  config: PoolManagerConfig,
  sidecarSecrets: ContainerSecrets,
  kubeConfig: () => KubeConfig,
  log: (message: string) => void,
  store: LoopbackStore | undefined,
): Promise<Runtime> {
  const { kubernetes, docker, readyTimeoutMs } = config.runtime;
  if (config.runtime.kind === 'docker' && docker !== undefined) {
    return startDockerRuntime({
      containerSecrets: sidecarSecrets,
      stateDir: config.runtime.stateDir,
      image: docker.image,
      limits: docker.limits,
      agentImages: config.runtime.agentImages,
      profiles: config.core.profiles.map((p) => p.name),
      agents: [...new Set(config.core.profiles.map((p) => p.agent ?? 'typescript'))],
      readyTimeoutMs,
      onDead: deadContainerCounter(),
      log,
      ...(store ? { store } : {}),
    });
  }
  if (config.runtime.kind === 'local' || kubernetes === undefined) {
    if (!config.runtime.bubblewrap) {
      log(
        "local runtime without a sandbox: containers run as this user and can read each other's folders (WARMGATE_POOL_SANDBOX=bubblewrap or WARMGATE_POOL_RUNTIME=docker isolate them)",
      );
      return createLocalRuntime({ ...config.runtime, containerSecrets: sidecarSecrets, log });
    }
    await checkBubblewrap();
    return createLocalRuntime({
      ...config.runtime,
      containerSecrets: sidecarSecrets,
      sandbox: sandboxView(config),
      log,
    });
  }
  const { namespace, podTemplatePath, instance } = kubernetes;
  return startKubernetesRuntime(
    {
      namespace,
      podTemplatePath,
      readyTimeoutMs,
      containerSecrets: sidecarSecrets,
      agentImages: config.runtime.agentImages,
      ...(instance === undefined ? {} : { instance }),
      onWatchError: (error) => log(`pod watch: ${(error as Error).message}`),
    },
    kubeConfig(),
  );
}

function electedLeader(
  config: PoolManagerConfig,
  kubeConfig: KubeConfig,
  makeCore: () => PoolCore,
  onChange: (leading: boolean) => void,
  log: (message: string) => void,
): Leadership {
  const { lease, identity } = config.leader!;
  // config.ts allows a leader lease only with the Kubernetes runtime.
  const namespace = config.runtime.kubernetes?.namespace ?? 'default';
  const store = createKubernetesLeaseStore({ kubeConfig, namespace, name: lease });
  return electedLeadership({
    makeCore,
    makeElector: (callbacks) =>
      createLeaderElector({
        store,
        identity,
        ...callbacks,
        onError: (error) => log(`leader election: ${(error as Error).message}`),
      }),
    onChange,
    log,
  });
}

/**
 * What a sandboxed container must not see: every container's folder (the state dir, with
 * pool.secret), the store, the operator's home; and what it must, even inside those: the
 * code (the workspace root above agent/dist/main.js) and the Node binary's prefix.
 */
function sandboxView(config: PoolManagerConfig) {
  const hidden = [config.runtime.stateDir];
  if (config.store.kind === 'embedded') hidden.push(config.store.dir);
  if (process.env.HOME) hidden.push(process.env.HOME);
  const readOnly = [
    // agent/dist/main.js, or agent/dist/bundle/main.js (its externals in node_modules above).
    resolve(
      dirname(config.runtime.agentEntry),
      basename(dirname(config.runtime.agentEntry)) === 'bundle' ? '../../..' : '../..',
    ),
    resolve(dirname(process.execPath), '..'),
  ];
  return { hidden, readOnly };
}

/** The embedded store: bare repositories `<dir>/<safe user name>.git`, by file:// URL. */
async function embeddedStore(
  storeDir: string,
  quotaBytes: number,
  log: (message: string) => void,
): Promise<RepositoryResolver> {
  const root = await ensureStore(storeDir);
  const repositories = await applyEmbeddedPolicy(root, quotaBytes);
  log(
    `store ${root}: receive policy and a quota of ${quotaBytes} bytes on ${repositories} repositories`,
  );
  return (userId, ephemeral) => ({ url: repoUrlFor(root, userId), ephemeral });
}

/**
 * No configured secret (`npm start`, a local pool manager): one made once and kept in
 * `<stateDir>/pool.secret` (0600), so a restarted pool manager still reaches the sidecars it
 * adopts. In-process callers (the `npm start` gateway) take it from RunningPoolManager.secret.
 */
async function localSecret(stateDir: string): Promise<string> {
  const path = join(stateDir, 'pool.secret');
  await mkdir(stateDir, { recursive: true });
  try {
    await writeSecretFile(path, randomBytes(32).toString('base64url'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const secret = (await readFile(path, 'utf8')).trim();
  if (secret.length < 32) {
    throw new Error(`${path} holds no usable secret (under 32 characters): remove it to make one`);
  }
  return secret;
}
