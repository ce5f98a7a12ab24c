// Anonymous gRPC clients: one public session per connection (the HTTP/2 peer), not one per
// call. Every anonymous session gets an agent of its own from the pool, so a session per
// unary call would let a few anonymous calls fill the pool. Bounded: past `max` peers the
// oldest session ends; a session also ends when its public timeout passes, or when its
// connection closes (`end`, called by the capped listener, which sees the socket).
import type { Principal } from '../../core/ports.js';
import type { SessionCore } from '../../core/session/session-core.js';

export interface PeerSessions {
  /** The anonymous principal of this connection, created on its first call. */
  principal(peer: string): Promise<Principal>;
  /** The connection closed: its session ends (its public container goes back). */
  end(peer: string): void;
}

export function createPeerSessions(
  core: Pick<SessionCore, 'authenticate' | 'endSession'>,
  options: { max?: number; now?: () => number } = {},
): PeerSessions {
  const max = options.max ?? 10_000;
  const now = options.now ?? Date.now;
  const byPeer = new Map<string, Promise<Principal>>();
  const end = (peer: string, session: Promise<Principal>) => {
    if (byPeer.get(peer) === session) byPeer.delete(peer);
    void session.then(
      (principal) => core.endSession(principal),
      () => undefined,
    );
  };
  return {
    end(peer) {
      const session = byPeer.get(peer);
      if (session) end(peer, session);
    },
    async principal(peer) {
      const known = byPeer.get(peer);
      if (known) {
        const principal = await known;
        if (principal.expiresAt === undefined || now() < principal.expiresAt) return principal;
        end(peer, known);
      }
      const session = core.authenticate(undefined);
      byPeer.set(peer, session);
      session.catch(() => byPeer.get(peer) === session && byPeer.delete(peer));
      if (byPeer.size > max) {
        const [oldest, first] = byPeer.entries().next().value!;
        end(oldest, first);
      }
      return session;
    },
  };
}
