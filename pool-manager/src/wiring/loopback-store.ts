// The embedded store served to Docker containers: the store server (git smart HTTP, one
// credential per binding) on a loopback port, in the pool manager's process, over the same
// folder of bare repositories the local runtime reads by path. Its secret is derived from the
// deployment secret (the Pool secret) and lives only in this process: a restarted pool manager
// with the same deployment secret still honours the credentials of the bindings it adopts.
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { ensureStore } from '@warmgate/contract';
import { createStoreServer } from '../store-server/index.js';

export interface LoopbackStore {
  readonly url: string;
  readonly secret: string;
  close(): Promise<void>;
}

export async function startLoopbackStore(
  dir: string,
  deploymentSecret: string,
  log: (message: string) => void,
): Promise<LoopbackStore> {
  const root = await ensureStore(dir);
  const secret = createHmac('sha256', deploymentSecret)
    .update('warmgate-loopback-store/v1')
    .digest('base64url');
  const server = createStoreServer({ root, secret, log });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    secret,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
