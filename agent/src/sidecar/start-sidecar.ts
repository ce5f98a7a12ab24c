// The sidecar process: the Lifecycle gRPC server next to the agent. The first-time-user
// template is made here at start-up so that no bind pays for it.
import { Server } from '@grpc/grpc-js';
import { agentv1 } from '@warmgate/proto';
import { addService, listen } from '@warmgate/proto/grpc';
import type { AgentConfig } from '../config.js';
import { createControlClient } from '../control/control-client.js';
import { createTemplateRepo } from '../workspace/template-repo.js';
import { createLifecycleService } from './lifecycle-service.js';

export interface RunningSidecar {
  port: number;
  /** Drains the agent first when this sidecar bound it, then stops serving. */
  close(): Promise<void>;
}

export async function startSidecar(config: AgentConfig): Promise<RunningSidecar> {
  const template = await createTemplateRepo();
  const control = createControlClient(config.agentUrl, config.controlToken);
  const lifecycle = createLifecycleService({
    workspaceDir: config.workspaceDir,
    templatePath: template.path,
    control,
    drainTimeoutMs: config.drainTimeoutMs,
  });
  const server = new Server();
  addService(server, agentv1.Lifecycle, lifecycle.impl);
  let port: number;
  try {
    port = await listen(server, config.host, config.sidecarPort);
  } catch (error) {
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
    await template.remove();
  };
  return { port, close: () => (closing ??= close()) };
}
