// Binds through the Kubernetes repo store. The store's URL and credential name the binding
// (a credential is good for exactly one user and one binding), and the binding id is made by
// the pool core just before Bind — so the repository is filled in here, on the way to the
// sidecar, from the BindRequest itself. The core's RepositoryResolver only says `ephemeral`.
import type { LifecyclePort, RepositoryResolver } from '../pool/lifecycle-port.js';
import {
  createStoreRepositories,
  notifyBindingEnded,
  type StoreClientOptions,
} from '../store-server/index.js';

export function withStoreRepositories(
  lifecycle: LifecyclePort,
  options: StoreClientOptions,
): LifecyclePort {
  const repositoryFor = createStoreRepositories(options);
  return {
    bind: (container, request, timeoutMs) =>
      lifecycle.bind(
        container,
        {
          bindingId: request.bindingId,
          userId: request.userId,
          tier: request.tier,
          mode: request.mode,
          assertionKey: request.assertionKey,
          repository: {
            ...repositoryFor(request.userId ?? '', request.bindingId ?? ''),
            ephemeral: request.repository?.ephemeral ?? false,
            // Docker: the claim's copy of the repository, which the restore links from.
            copyPath: request.repository?.copyPath ?? '',
          },
        },
        timeoutMs,
      ),
    // After the final push (or a failed drain: the container is destroyed next), the binding's
    // credential must stop working; until the store hears of it, its TTL still bounds it.
    drain: (container, bindingId, timeoutMs) =>
      lifecycle
        .drain(container, bindingId, timeoutMs)
        .finally(() =>
          notifyBindingEnded(options.storeUrl, options.secret, bindingId).catch((error: unknown) =>
            options.log?.(`repo store: binding ${bindingId} not marked ended: ${String(error)}`),
          ),
        ),
    status: (container, timeoutMs) => lifecycle.status(container, timeoutMs),
    forget: (container) => lifecycle.forget(container),
    close: () => lifecycle.close(),
  };
}

/** What the core is given with a remote store: the URL comes at Bind (above). */
export const ephemeralOnly: RepositoryResolver = (_userId, ephemeral) => ({ url: '', ephemeral });
