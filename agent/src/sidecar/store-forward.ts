// A container on `--network none` has a loopback of its own and nothing else. git (the bind's
// clone, the agent's push) reaches the repository store at its usual URL
// http://127.0.0.1:<port>/…: this listener, on that port of the container's own loopback
// (shared by agent and sidecar like a pod's), carries each connection to the Unix socket in
// the container's folder that the pool manager serves the store on. The store still checks
// the binding's credential; the container reaches nothing else.
import { createConnection, createServer, type Socket } from 'node:net';

export interface StoreForward {
  close(): Promise<void>;
}

export async function forwardStore(
  host: string,
  port: number,
  socketPath: string,
): Promise<StoreForward> {
  const open = new Set<Socket>();
  const server = createServer((inbound) => {
    const outbound = createConnection(socketPath);
    open.add(inbound);
    open.add(outbound);
    const done = () => {
      inbound.destroy();
      outbound.destroy();
      open.delete(inbound);
      open.delete(outbound);
    };
    inbound.on('error', done).on('close', done);
    outbound.on('error', done).on('close', done);
    inbound.pipe(outbound);
    outbound.pipe(inbound);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
