// @warmgate/gateway: the gateway as a library — the session core and its ports, the three
// transports, auth, configuration, and the functions that wire and run a whole gateway.
export type * from './core/ports.js';
export {
  createSessionCore,
  type SessionCore,
  type SessionCoreDeps,
} from './core/session/session-core.js';
export { AsyncQueue } from './core/session/async-queue.js';
export { createAuthenticator } from './auth/authenticator.js';
export { loadConfig, type GatewayConfig, type LimitsConfig } from './config.js';
export { connectMemory, type MemoryClient } from './transport/memory/memory-transport.js';
export { createWsServer, type WsServer } from './transport/ws/ws-server.js';
export { CloseCode } from './transport/ws/close-codes.js';
export { createGrpcServer, type GrpcServer } from './transport/grpc/grpc-server.js';
export { startGatewayServers, type GatewayServers } from './wiring/gateway-servers.js';
export { wireGateway, type WiredGateway } from './wiring/wire-gateway.js';
export { runGateway, untilSignal, type RunningGateway } from './wiring/run-gateway.js';
export { startTelemetry, type Telemetry } from './telemetry/setup.js';
