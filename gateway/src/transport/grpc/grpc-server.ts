// The grpc-js server for warmgate.gateway.v1.Gateway, over the session core. Clients
// authenticate with the metadata `authorization: Bearer <token>` (none = the connection's
// public session);
// deadlines and cancellation arrive as the handler context's signal. Also serves the
// standard health service and server reflection.
import { context } from '@opentelemetry/api';
import { Server } from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import { AuthMode, gatewayv1 } from '@warmgate/proto';
import {
  addReflection,
  addService,
  healthService,
  listen,
  type HandlerContext,
} from '@warmgate/proto/grpc';
import { admittedCore, type Admission } from '../../admission/index.js';
import type { GrpcServerConfig } from '../../config.js';
import type { Principal } from '../../core/ports.js';
import type { SessionCore } from '../../core/session/session-core.js';
import { gatewayMetrics } from '../../telemetry/metrics.js';
import { contextFromHeaders } from '../../telemetry/propagation.js';
import { inSpan } from '../../telemetry/tracer.js';
import { listenCapped, type CappedListener } from './capped-listener.js';
import { createPeerSessions } from './public-sessions.js';

export interface GrpcServer {
  listen(host: string, port: number): Promise<number>;
  /** Health turns NOT_SERVING, then waits up to `graceMs` for calls before forcing. */
  close(graceMs: number): Promise<void>;
}

const serviceName = gatewayv1.Gateway.typeName;

export interface GrpcServerOptions {
  readonly options?: GrpcServerConfig;
  /** Connection caps and request rates; none = no admission control. */
  readonly admission?: Admission | undefined;
}

export function createGrpcServer(
  sessionCore: SessionCore,
  { options, admission }: GrpcServerOptions = {},
): GrpcServer {
  const core = admittedCore(sessionCore, admission, 'grpc');
  // Bounds on what one connection may hold: streams in flight, a dead peer (keepalive pings
  // unanswered), a connection left open without calls.
  const server = new Server(
    options
      ? {
          'grpc.max_concurrent_streams': options.maxConcurrentStreams,
          'grpc.keepalive_time_ms': options.keepaliveTimeMs,
          'grpc.keepalive_timeout_ms': options.keepaliveTimeoutMs,
          'grpc.max_connection_idle_ms': options.maxConnectionIdleMs,
        }
      : {},
  );
  let listener: CappedListener | undefined;
  /** Calls on a connection that was over a cap get its refusal (with retry metadata). */
  const admit = (ctx: HandlerContext) => {
    const refusal = listener?.refusalFor(ctx.peer);
    if (refusal) throw refusal;
  };
  const health = new HealthImplementation({ '': 'SERVING', [serviceName]: 'SERVING' });
  health.addToServer(server);
  addReflection(server, [gatewayv1.Gateway, healthService]);

  const anonymous = createPeerSessions(core);
  const principalOf = (ctx: HandlerContext): Promise<Principal> => {
    admit(ctx);
    const header = ctx.headers.authorization;
    if (header === undefined) return anonymous.principal(ctx.peer);
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return core.authenticate(match ? match[1] : 'malformed authorization header');
  };
  /**
   * A unary call: authenticated, traced as a child of the client's trace context. A direct-mode
   * call is a gateway session of its own (its own upstream MCP session, never shared), so it
   * ends with the call; otherwise every call left an MCP session open on the agent.
   */
  const unary = <T>(name: string, ctx: HandlerContext, run: (p: Principal) => Promise<T>) => {
    gatewayMetrics().messages.add(1, { transport: 'grpc', kind: name });
    return context.with(contextFromHeaders(ctx.headers), () =>
      inSpan(`Gateway/${name}`, { 'rpc.system': 'grpc' }, async () => {
        const principal = await principalOf(ctx);
        try {
          return await run(principal);
        } finally {
          if (principal.mode === AuthMode.DIRECT) core.endSession(principal);
        }
      }),
    );
  };

  addService(server, gatewayv1.Gateway, {
    async *chat(requests, ctx) {
      const principal = await principalOf(ctx);
      gatewayMetrics().connections.add(1, { transport: 'grpc' });
      try {
        yield* core.chat(principal, counted(requests), ctx.signal);
      } finally {
        gatewayMetrics().connections.add(-1, { transport: 'grpc' });
        // An anonymous connection's session outlives its chat streams (see public-sessions.ts).
        if (ctx.headers.authorization !== undefined) core.endSession(principal);
      }
    },
    callTool: (request, ctx) =>
      unary('CallTool', ctx, (principal) => core.callTool(principal, request, ctx.signal)),
    listTools: (_request, ctx) =>
      unary('ListTools', ctx, (principal) => core.listTools(principal, ctx.signal)),
    readResource: (request, ctx) =>
      unary('ReadResource', ctx, (principal) => core.readResource(principal, request, ctx.signal)),
  });

  return {
    async listen(host, port) {
      if (!admission) return listen(server, host, port);
      const pings =
        options && options.minPingIntervalMs > 0
          ? {
              minIntervalMs: options.minPingIntervalMs,
              maxStrikes: options.maxPingStrikes,
              onRefused: () =>
                gatewayMetrics().admissionRefusals.add(1, {
                  transport: 'grpc',
                  reason: 'too_many_pings',
                }),
            }
          : undefined;
      listener = await listenCapped(
        server,
        host,
        port,
        admission,
        (peer) => anonymous.end(peer),
        pings,
      );
      if (pings && !listener.pingsPoliced) {
        console.warn(
          'gateway: warning: WARMGATE_GRPC_MIN_PING_INTERVAL_MS is set but this grpc-js hides its HTTP/2 sessions: client pings are not policed',
        );
      }
      return listener.port;
    },
    close(graceMs) {
      listener?.close();
      health.setStatus('', 'NOT_SERVING');
      health.setStatus(serviceName, 'NOT_SERVING');
      return new Promise((resolve) => {
        const force = setTimeout(() => {
          server.forceShutdown();
          listener?.destroy();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
    },
  };
}

async function* counted(requests: AsyncIterable<gatewayv1.ChatRequest>) {
  for await (const request of requests) {
    gatewayMetrics().messages.add(1, { transport: 'grpc', kind: 'chat' });
    yield request;
  }
}
