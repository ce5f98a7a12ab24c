// Where a load test points: only loopback addresses, so a load test can never be aimed at
// someone else's machine by a typo.
import { isIP } from 'node:net';

export interface Target {
  /** host:port of the gateway's HTTP/WebSocket listener. */
  readonly http: string;
  /** host:port of the gateway's gRPC listener. */
  readonly grpc: string;
}

/** True for 127.0.0.0/8, ::1 and "localhost". */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1';
  return false;
}

/** Parses "host:port", refusing anything that is not loopback; names the flag on error. */
export function parseLoopbackAddress(flag: string, value: string): string {
  const match = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(value);
  if (!match) throw new Error(`${flag}: expected host:port, got "${value}"`);
  const [, host, port] = match;
  if (!isLoopback(host!)) {
    throw new Error(`${flag}: ${host} is not a loopback address; load tests target loopback only`);
  }
  if (Number(port) < 1 || Number(port) > 65535) throw new Error(`${flag}: bad port ${port}`);
  return `${host}:${port}`;
}
