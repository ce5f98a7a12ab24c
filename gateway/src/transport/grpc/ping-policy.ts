// A client's ping rate. grpc-js enforces none (gRPC core answers a client that pings too
// often with GOAWAY ENHANCE_YOUR_CALM "too_many_pings"; grpc-js answers every ping), and Node
// closes a connection only for a flood it cannot write the acknowledgements of. So the
// gateway polices it the way gRPC core does: a ping sooner than `minIntervalMs` after the
// last one is a strike; past `maxStrikes` the connection gets GOAWAY ENHANCE_YOUR_CALM with
// "too_many_pings" and is closed. A ping after a quiet interval clears the strikes.
import { constants, type Http2Session } from 'node:http2';
import type { EventEmitter } from 'node:events';

export interface PingPolicy {
  readonly minIntervalMs: number;
  readonly maxStrikes: number;
}

/** Polices the pings a client sends on one HTTP/2 session. */
export function policePings(
  session: Http2Session,
  policy: PingPolicy,
  onRefused: () => void = () => {},
  now: () => number = Date.now,
): void {
  let last = -Infinity;
  let strikes = 0;
  session.on('ping', () => {
    const at = now();
    strikes = at - last < policy.minIntervalMs ? strikes + 1 : 0;
    last = at;
    if (strikes <= policy.maxStrikes || session.destroyed) return;
    onRefused();
    session.goaway(constants.NGHTTP2_ENHANCE_YOUR_CALM, 0, Buffer.from('too_many_pings'));
    // Let the GOAWAY reach the client before the connection goes.
    setTimeout(() => session.destroy(), 100).unref();
  });
}

/**
 * Calls `onSession` for every HTTP/2 session of the connection injector `inject` creates.
 * grpc-js makes one http2 server per injector and keeps it in a private map; the new entry
 * is that injector's. False when the map is not there (a grpc-js that changed it): the
 * caller then says pings are not policed.
 */
export function onInjectorSessions<T>(
  server: object,
  inject: () => T,
  onSession: (session: Http2Session) => void,
): { injector: T; found: boolean } {
  const servers = () => [
    ...((server as { http2Servers?: Map<EventEmitter, unknown> }).http2Servers?.keys() ?? []),
  ];
  const before = new Set(servers());
  const injector = inject();
  const created = servers().filter((s) => !before.has(s));
  if (created.length !== 1) return { injector, found: false };
  created[0]!.on('session', onSession);
  return { injector, found: true };
}
