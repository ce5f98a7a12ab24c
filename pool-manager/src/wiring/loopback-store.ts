// The embedded store served to Docker containers: the store server (git smart HTTP, one
// credential per binding) on a loopback port, in the pool manager's process, over the same
// folder of bare repositories the local runtime reads by path. Its secret is derived from the
// deployment secret (the Pool secret) and lives only in this process: a restarted pool manager
// with the same deployment secret still honours the credentials of the bindings it adopts.
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import { ensureStore } from '@warmgate/contract';
import { createStoreServer } from '../store-server/index.js';
import { applyEmbeddedPolicy } from '../store-server/embedded-policy.js';

export interface LoopbackStore {
  readonly url: string;
  readonly port: number;
  readonly secret: string;
  /** The folder of bare repositories it serves (absolute): the Docker runtime copies from it. */
  readonly dir: string;
  /** Serves a connection accepted elsewhere (a container's store.sock, Docker runtime). */
  accept(socket: Socket): void;
  close(): Promise<void>;
}

export async function startLoopbackStore(
  store: { readonly dir: string; readonly quotaBytes: number },
  deploymentSecret: string,
  log: (message: string) => void,
): Promise<LoopbackStore> {
  const root = await ensureStore(store.dir);
  // Also in each repository's config: the folder is the local runtime's too.
  await applyEmbeddedPolicy(root, store.quotaBytes);
  const secret = createHmac('sha256', deploymentSecret)
    .update('warmgate-loopback-store/v1')
    .digest('base64url');
  const server = createStoreServer({ root, secret, log, quotaBytes: store.quotaBytes });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    secret,
    dir: root,
    accept: (socket) => server.emit('connection', socket),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
