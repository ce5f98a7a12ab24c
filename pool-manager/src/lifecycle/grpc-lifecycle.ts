import { agentv1 } from '@warmgate/proto';
import { bearerHeaders, createClient } from '@warmgate/proto/grpc';
import type { ContainerSecrets } from '../runtime/container-secret.js';
import type { LifecyclePort } from '../pool/lifecycle-port.js';
import type { Container } from '../pool/runtime-port.js';

type LifecycleClient = ReturnType<typeof createClient<typeof agentv1.Lifecycle>>;

/**
 * The LifecyclePort over gRPC, one long-lived channel per sidecar: the health check that runs
 * when a container is created opens it, so a warm claim pays no connection set-up.
 */
export function createGrpcLifecycle(secrets: ContainerSecrets): LifecyclePort {
  const clients = new Map<string, LifecycleClient>();
  const clientOf = (container: Container): LifecycleClient => {
    // Keyed by id too: the secret is the container's, and a port may be reused by another.
    const key = `${container.id}@${container.lifecycleAddress}`;
    let client = clients.get(key);
    if (!client) {
      client = createClient(agentv1.Lifecycle, container.lifecycleAddress, {
        headers: bearerHeaders(secrets(container.id)),
        // Loopback or in-cluster: fail fast on a dead sidecar instead of backing off.
        channelOptions: {
          'grpc.initial_reconnect_backoff_ms': 100,
          'grpc.max_reconnect_backoff_ms': 1000,
        },
      });
      clients.set(key, client);
    }
    return client;
  };
  return {
    bind: (container, request, timeoutMs) => clientOf(container).bind(request, { timeoutMs }),
    drain: (container, bindingId, timeoutMs) =>
      clientOf(container).drain({ bindingId }, { timeoutMs }),
    status: (container, timeoutMs) => clientOf(container).getStatus({}, { timeoutMs }),
    forget(container) {
      const key = `${container.id}@${container.lifecycleAddress}`;
      clients.get(key)?.close();
      clients.delete(key);
    },
    close() {
      for (const client of clients.values()) client.close();
      clients.clear();
    },
  };
}
