// The uWebSockets.js server: /ws (the envelope of websocket.proto) plus the HTTP routes.
// WebSocket clients authenticate in the upgrade request (`Authorization: Bearer <token>`) or
// with a first `authenticate` frame (browsers, which cannot set headers); a socket that sends
// anything else first is a public session. A token in the URL (`?access_token=`) is NOT read:
// URLs land in access logs, proxies and browser history.
import {
  App,
  us_listen_socket_close,
  us_socket_local_port,
  type us_listen_socket,
  type us_socket,
  type TemplatedApp,
  type WebSocket,
} from 'uWebSockets.js';
import { ErrorCode, WarmgateError } from '@warmgate/proto';
import { admittedCore, type Admission, type Ticket } from '../../admission/index.js';
import type { SessionCore } from '../../core/session/session-core.js';
import { gatewayMetrics } from '../../telemetry/metrics.js';
import { CloseCode } from './close-codes.js';
import { addHttpRoutes, type HttpHooks } from './http-routes.js';
import { type ConnectionLimits, type UpgradeAuth, WsConnection } from './ws-connection.js';

export interface WsServerOptions {
  readonly core: SessionCore;
  /** Connection caps (close 1013) and request rates; none = no admission control. */
  readonly admission?: Admission | undefined;
  readonly limits: ConnectionLimits & {
    /** Seconds without traffic before the socket closes; pings keep live sockets open. */
    readonly idleTimeoutS: number;
  };
  readonly http: Omit<HttpHooks, 'draining'>;
  /** More HTTP routes on the same port (MCP), added before the catch-all 404. */
  readonly routes?: (app: TemplatedApp, draining: () => boolean) => void;
}

export interface WsServer {
  listen(host: string, port: number): Promise<number>;
  /** Stops accepting, then closes every socket with 1001 (going away). */
  close(): void;
  readonly connections: number;
}

interface SocketData {
  auth: UpgradeAuth;
  /** The connection's admission ticket, given back when the socket closes. */
  ticket?: Ticket;
  connection?: WsConnection;
  /** Set by the close handler: uWebSockets.js throws on any use of a closed socket. */
  gone?: boolean;
}

export function createWsServer(options: WsServerOptions): WsServer {
  const { limits, admission } = options;
  const core = admittedCore(options.core, admission, 'ws');
  const sockets = new Set<WebSocket<SocketData>>();
  let listenSocket: us_listen_socket | undefined;
  let draining = false;
  const app = App();

  app.ws<SocketData>('/ws', {
    // Frames up to 4× the limit are read and refused with an error frame and close 1009;
    // beyond that uWebSockets.js drops the connection itself (the client sees 1006).
    maxPayloadLength: limits.maxFrameBytes * 4,
    idleTimeout: limits.idleTimeoutS,
    sendPingsAutomatically: true,
    // Above our own limit, so uWS never drops a frame silently: we close first (1013).
    maxBackpressure: limits.maxBufferedBytes * 2,
    upgrade: (res, req, context) => {
      const key = req.getHeader('sec-websocket-key');
      const protocol = req.getHeader('sec-websocket-protocol');
      const extensions = req.getHeader('sec-websocket-extensions');
      const token = bearer(req.getHeader('authorization'));
      if (draining) {
        res.writeStatus('503 Service Unavailable').end('draining\n');
        return;
      }
      // Over a cap: the socket opens only to be closed 1013 with an error frame carrying the
      // retry hint, which a WebSocket client can read (an HTTP refusal it could not).
      const ip = Buffer.from(res.getRemoteAddressAsText()).toString();
      const verdict = admission?.connection('ws', ip);
      if (verdict instanceof WarmgateError) {
        res.upgrade<SocketData>({ auth: { error: verdict } }, key, protocol, extensions, context);
        return;
      }
      // Upgrade synchronously, inside this handler, and verify the token once the socket is
      // open (WsConnection.opened). An upgrade completed later — `res.cork(() => res.upgrade())`
      // after awaiting the token check, as this code did — runs HttpResponse::cork()'s
      // post-response logic on a socket that uWS reallocated in place, and that logic can read
      // stale bytes as "Connection: close" and shut the fresh WebSocket down without a close
      // frame: the client's early 1006 (docs/reliability.md, uNetworking/uWebSockets#1929).
      res.upgrade<SocketData>(
        { auth: token ? { token } : undefined, ticket: verdict },
        key,
        protocol,
        extensions,
        context,
      );
    },
    open: (ws) => {
      sockets.add(ws);
      gatewayMetrics().connections.add(1, { transport: 'ws' });
      const data = ws.getUserData();
      const sink = {
        send: (frame: string | Uint8Array, binary: boolean) => {
          if (!data.gone) ws.cork(() => ws.send(frame, binary));
        },
        bufferedAmount: () => (data.gone ? 0 : ws.getBufferedAmount()),
        end: (code: number, reason: string) => {
          if (!data.gone) ws.end(code, reason);
        },
      };
      data.connection = new WsConnection(sink, core, limits, data.auth);
      data.auth = undefined;
      data.connection.opened();
    },
    message: (ws, message, isBinary) => {
      try {
        ws.getUserData().connection?.receive(message, isBinary);
      } catch (error) {
        // A bug, not a client fault: close this socket, keep the process.
        console.error('warmgate gateway: websocket handler failed', error);
        ws.end(CloseCode.internalError, 'INTERNAL: internal error');
      }
    },
    drain: (ws) => ws.getUserData().connection?.drained(),
    close: (ws) => {
      ws.getUserData().gone = true;
      ws.getUserData().ticket?.release();
      sockets.delete(ws);
      gatewayMetrics().connections.add(-1, { transport: 'ws' });
      ws.getUserData().connection?.closedBySocket();
    },
  });
  options.routes?.(app, () => draining);
  addHttpRoutes(app, { ...options.http, draining: () => draining });

  return {
    listen(host, port) {
      return new Promise((resolve, reject) => {
        app.listen(host, port, (socket) => {
          if (!socket)
            return reject(
              new WarmgateError(ErrorCode.UNAVAILABLE, `cannot listen on ${host}:${port}`),
            );
          listenSocket = socket;
          resolve(us_socket_local_port(socket as unknown as us_socket));
        });
      });
    },
    close() {
      draining = true;
      if (listenSocket) us_listen_socket_close(listenSocket);
      listenSocket = undefined;
      for (const ws of [...sockets]) ws.end(CloseCode.goingAway, 'server shutting down');
      app.close();
    },
    get connections() {
      return sockets.size;
    },
  };
}

function bearer(header: string): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}
