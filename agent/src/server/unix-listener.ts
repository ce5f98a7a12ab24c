// A Unix socket beside a TCP listener: each connection accepted on the socket is handed to the
// same server (`connection` event), so one http.Server answers on both. How a container on
// `--network none` is reached through its mounted folder (pool-manager/src/runtime/docker/).
import { unlink } from 'node:fs/promises';
import { createServer, type Server as NetServer, type Socket } from 'node:net';

export interface UnixListener {
  close(): Promise<void>;
}

export async function listenUnix(
  path: string,
  onConnection: (socket: Socket) => void,
): Promise<UnixListener> {
  // A socket file left by a process that died (the folder outlives it) would refuse the bind.
  await unlink(path).catch(() => {});
  const server: NetServer = createServer(onConnection);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
      }),
  };
}
