/* global __ENV -- k6 globals */
// Settings every scenario reads from the environment (the runner sets them; see ../README.md).
// k6 scripts are plain JavaScript run by k6's own engine, not by Node.

/** host:port of the gateway's HTTP/WebSocket listener. */
export const httpTarget = __ENV.WARMGATE_HTTP_TARGET || '127.0.0.1:8080';
/** host:port of the gateway's gRPC listener. */
export const grpcTarget = __ENV.WARMGATE_GRPC_TARGET || '127.0.0.1:50051';
/** Shared HS256 secret the gateway verifies JWTs with; empty = public (anonymous) sessions. */
export const jwtSecret = __ENV.WARMGATE_LOADTEST_SECRET || '';
/** Distinguishes the users of one run from those of earlier runs against the same stack. */
export const runId = __ENV.WARMGATE_LOADTEST_RUN || 'run';
/** The folder holding warmgate/**.proto (k6 resolves relative paths from the script). */
export const protoRoot = __ENV.WARMGATE_PROTO_ROOT || '../../proto';

/** A positive number from the environment, or the fallback. */
export function num(name, fallback) {
  const value = Number(__ENV[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/** A duration string ("45s", "3m") from the environment, or the fallback. */
export function duration(name, fallback) {
  const value = __ENV[name];
  return value && /^\d+(ms|s|m|h)$/.test(value) ? value : fallback;
}
