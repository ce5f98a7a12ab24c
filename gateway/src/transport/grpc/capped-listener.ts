// The gRPC listener with connection caps. grpc-js has no hook on accept, so the gateway
// accepts TCP connections itself and hands them to grpc-js (createConnectionInjector).
// A connection over a cap is still served HTTP/2, so that its calls can be answered
// RESOURCE_EXHAUSTED with retry metadata (a bare TCP reset tells a client nothing), and is
// closed a moment later.
import { createServer, type Server as NetServer } from 'node:net';
import { ServerCredentials, type Server } from '@grpc/grpc-js';
import { ErrorCode, WarmgateError } from '@warmgate/proto';
import type { Admission } from '../../admission/index.js';
import { onInjectorSessions, policePings, type PingPolicy } from './ping-policy.js';

/** How long a refused connection stays open to carry its refusals. */
const REFUSED_LINGER_MS = 1000;

export interface CappedListener {
  readonly port: number;
  /** False when grpc-js gave no way to see its HTTP/2 sessions: client pings go unpoliced. */
  readonly pingsPoliced: boolean;
  /** The refusal for calls on this connection (grpc-js `getPeer()`), if it was over a cap. */
  refusalFor(peer: string): WarmgateError | undefined;
  /** Stops accepting; open connections are grpc-js's to end (tryShutdown/forceShutdown). */
  close(): void;
  /** Destroys every injected connection. */
  destroy(): void;
}

export function listenCapped(
  server: Server,
  host: string,
  port: number,
  admission: Admission,
  /** A connection closed (its grpc-js peer string). */
  onClose: (peer: string) => void = () => {},
  /** How often a client may ping; none = as often as it likes. */
  pings?: PingPolicy & { onRefused?: () => void },
): Promise<CappedListener> {
  const { injector, found } = onInjectorSessions(
    server,
    () => server.createConnectionInjector(ServerCredentials.createInsecure()),
    (session) => {
      if (pings) policePings(session, pings, pings.onRefused);
    },
  );
  const refused = new Map<string, WarmgateError>();
  const tcp: NetServer = createServer((socket) => {
    const admitted = admission.connection('grpc', socket.remoteAddress ?? '');
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    socket.once('close', () => onClose(peer));
    if (admitted instanceof WarmgateError) {
      refused.set(peer, admitted);
      socket.once('close', () => refused.delete(peer));
      setTimeout(() => socket.destroy(), REFUSED_LINGER_MS).unref();
    } else {
      socket.once('close', () => admitted.release());
    }
    injector.injectConnection(socket);
  });
  return new Promise((resolve, reject) => {
    tcp.once('error', (error) =>
      reject(
        new WarmgateError(ErrorCode.UNAVAILABLE, `cannot listen on ${host}:${port}`, {
          cause: error,
        }),
      ),
    );
    tcp.listen(port, host, () => {
      const address = tcp.address();
      resolve({
        port: typeof address === 'object' && address ? address.port : port,
        pingsPoliced: pings !== undefined && found,
        refusalFor: (peer) => refused.get(peer),
        close: () => tcp.close(),
        destroy: () => injector.destroy(),
      });
    });
  });
}
