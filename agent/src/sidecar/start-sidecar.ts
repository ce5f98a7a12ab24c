// The sidecar process: the Lifecycle gRPC server and the data plane (MCP for the gateway,
// credentials, commit and push) in front of the agent named by WARMGATE_SIDECAR_AGENT or
// WARMGATE_SIDECAR_AGENT_COMMAND (config.ts requires one). The first-time-user template is
// made here at start-up so that no bind pays for it.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unlink } from 'node:fs/promises';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { agentv1 } from '@warmgate/proto';
import { addService, listen, requireBearer } from '@warmgate/proto/grpc';
import type { AgentConfig } from '../config.js';
import type { ControlClient } from '../control/control-protocol.js';
import { enableOptimizingCompiler } from '../warm-compiler.js';
import { restoreWorkspace } from '../workspace/restore.js';
import { createTemplateRepo } from '../workspace/template-repo.js';
import { createLifecycleService } from './lifecycle-service.js';
import { forwardStore, type StoreForward } from './store-forward.js';

export interface RunningSidecar {
  port: number;
  /** The data plane's MCP port for the gateway (0 when it serves a Unix socket only). */
  mcpPort: number;
  /** Drains the agent first when this sidecar bound it, then stops serving. */
  close(): Promise<void>;
}

export async function startSidecar(config: AgentConfig): Promise<RunningSidecar> {
  const template = await createTemplateRepo();
  // The data plane in front of a plain MCP agent (issue 14): every runtime starts the agent so.
  const dataPlane = await import('./data-plane/start-data-plane.js')
    .then((m) => m.startDataPlane(config))
    .catch(async (error: unknown) => {
      await template.remove();
      throw error;
    });
  const control = dataPlane.plane.control;
  const lifecycle = createLifecycleService({
    workspaceDir: config.workspaceDir,
    templatePath: template.path,
    control,
    drainTimeoutMs: config.drainTimeoutMs,
    maxObjectBytes: config.maxObjectBytes,
  });
  await warmUp(template.path, control);
  const server = new Server();
  // Only the pool manager holds this container's secret (pool-manager/src/runtime/container-secret.ts).
  const impl: typeof lifecycle.impl = {
    ...lifecycle.impl,
    // Bound from here on: the data plane's hot path gets the optimizing compiler
    // (warm-compiler.ts keeps it off while the sidecar waits warm).
    bind: (request, context) => {
      enableOptimizingCompiler();
      return lifecycle.impl.bind(request, context);
    },
  };
  addService(server, agentv1.Lifecycle, impl, {
    authenticate: requireBearer(config.sidecarSecret, 'Lifecycle'),
  });
  let port: number;
  let store: StoreForward | undefined;
  try {
    if (config.storeForward) {
      const { port: storePort, socket } = config.storeForward;
      store = await forwardStore(config.host, storePort, socket);
    }
    port = config.sidecarSocket
      ? await listenUnix(server, config.sidecarSocket)
      : await listen(server, config.host, config.sidecarPort);
  } catch (error) {
    await store?.close();
    control.close();
    await dataPlane.close();
    await template.remove();
    throw error;
  }
  let closing: Promise<void> | undefined;
  const close = async () => {
    const bindingId = lifecycle.boundBindingId();
    if (bindingId) {
      await control
        .drain({ bindingId }, AbortSignal.timeout(config.drainTimeoutMs + 5000))
        .catch(() => {}); // the agent drains itself on its own SIGTERM too
    }
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    server.forceShutdown();
    await dataPlane.close();
    await store?.close();
    control.close();
    await template.remove();
  };
  return { port, mcpPort: dataPlane.mcpPort, close: () => (closing ??= close()) };
}

/** Lifecycle on a Unix socket (a container on `--network none`); the port announced is 0. */
async function listenUnix(server: Server, path: string): Promise<number> {
  await unlink(path).catch(() => {}); // left by a process that died
  await new Promise<number>((resolve, reject) =>
    server.bindAsync(`unix://${path}`, ServerCredentials.createInsecure(), (error, port) =>
      error ? reject(error) : resolve(port),
    ),
  );
  return 0;
}

/**
 * A container's first bind is also its process's first run of the bind path. Running that
 * path once before announcing ready (a practice restore into a scratch folder, a first
 * request to the agent) moves module loading, JIT and the first process spawn out of the bind
 * the user waits for. Failures here are ignored: the real bind reports its own.
 */
async function warmUp(templatePath: string, control: ControlClient) {
  const scratch = await mkdtemp(join(tmpdir(), 'warmgate-warmup-'));
  try {
    await restoreWorkspace({ url: '', ephemeral: true }, scratch, templatePath);
    await control.status(AbortSignal.timeout(2000));
  } catch {
    // the agent may not be up yet; the pool manager starts it first, but nothing requires it
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
