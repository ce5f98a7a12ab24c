import { Server } from '@grpc/grpc-js';
import { ensureStore, repoUrlFor } from '@warmgate/agent';
import { HealthImplementation } from 'grpc-health-check';
import { poolv1 } from '@warmgate/proto';
import { addService, listen } from '@warmgate/proto/grpc';
import type { PoolManagerConfig } from './config.js';
import { createGrpcLifecycle } from './lifecycle/grpc-lifecycle.js';
import type { LifecyclePort, RepositoryResolver } from './pool/lifecycle-port.js';
import { PoolCore } from './pool/pool-core.js';
import type { Runtime } from './pool/runtime-port.js';
import { createLocalRuntime } from './runtime/local/local-runtime.js';
import { createPoolService } from './service/pool-service.js';

export interface StartOptions {
  /** Another Runtime (e.g. Kubernetes); defaults to the local-process runtime from config. */
  runtime?: Runtime;
  lifecycle?: LifecyclePort;
  repositoryFor?: RepositoryResolver;
  log?: (message: string) => void;
}

export interface RunningPoolManager {
  /** host:port of the Pool gRPC service. */
  readonly address: string;
  readonly port: number;
  readonly core: PoolCore;
  /** Drains every binding (bounded by the configured grace), destroys warm containers, stops. */
  close(): Promise<void>;
}

/** Starts the pool manager: recovers leftovers, fills the warm pools, serves Pool + health. */
export async function startPoolManager(
  config: PoolManagerConfig,
  options: StartOptions = {},
): Promise<RunningPoolManager> {
  const log = options.log ?? ((message: string) => console.error(`pool-manager: ${message}`));
  const runtime = options.runtime ?? createLocalRuntime({ ...config.runtime });
  const lifecycle = options.lifecycle ?? createGrpcLifecycle();
  const core = new PoolCore(config.core, {
    runtime,
    lifecycle,
    repositoryFor: options.repositoryFor ?? (await embeddedStore(config.storeDir)),
    log,
  });
  await core.start();
  const server = new Server();
  addService(server, poolv1.Pool, createPoolService(core));
  const health = new HealthImplementation({ '': 'SERVING', [poolv1.Pool.typeName]: 'SERVING' });
  health.addToServer(server);
  let port: number;
  try {
    port = await listen(server, config.host, config.port);
  } catch (error) {
    await core.shutdown(config.shutdownGraceMs);
    throw error;
  }
  let closing: Promise<void> | undefined;
  const close = async () => {
    health.setStatus('', 'NOT_SERVING');
    health.setStatus(poolv1.Pool.typeName, 'NOT_SERVING');
    await core.shutdown(config.shutdownGraceMs);
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    server.forceShutdown();
    lifecycle.close();
    await runtime.close();
  };
  return {
    address: `${config.host}:${port}`,
    port,
    core,
    close: () => (closing ??= close()),
  };
}

/** The embedded store: bare repositories `<dir>/<safe user name>.git`, by file:// URL. */
async function embeddedStore(storeDir: string): Promise<RepositoryResolver> {
  const root = await ensureStore(storeDir);
  return (userId, ephemeral) => ({ url: repoUrlFor(root, userId), ephemeral });
}
