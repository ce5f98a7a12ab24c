// Anonymous MCP sessions end when they go quiet. An MCP client may never send DELETE (most
// simply stop), and HTTP has no close event, so without this an anonymous session's public
// container stayed bound until the pool manager's public idle timeout (10 min): four quiet
// clients filled the default public cap. Here the gateway ends an anonymous session after
// `idleMs` with no request in flight, which gives its container back (the connector releases
// a public binding no session uses). The session id itself stays valid: a later request
// binds a container again. Per gateway replica: each ends what it holds.
import { AuthMode } from '@warmgate/proto';
import type { Principal } from '../../core/ports.js';
import type { SessionCore } from '../../core/session/session-core.js';

interface Quiet {
  principal: Principal;
  inFlight: number;
  timer?: NodeJS.Timeout;
}

export function endQuietPublicSessions(core: SessionCore, idleMs: number): SessionCore {
  const sessions = new Map<string, Quiet>();

  const end = (principal: Principal) => {
    const entry = sessions.get(principal.sessionId);
    if (entry?.timer) clearTimeout(entry.timer);
    sessions.delete(principal.sessionId);
    core.endSession(principal);
  };

  async function tracked<T>(principal: Principal, run: () => Promise<T>): Promise<T> {
    if (principal.mode !== AuthMode.PUBLIC) return run();
    let entry = sessions.get(principal.sessionId);
    if (!entry) {
      entry = { principal, inFlight: 0 };
      sessions.set(principal.sessionId, entry);
    }
    const own = entry;
    if (own.timer) clearTimeout(own.timer);
    own.timer = undefined;
    own.inFlight++;
    try {
      return await run();
    } finally {
      if (--own.inFlight === 0 && sessions.get(principal.sessionId) === own) {
        own.timer = setTimeout(() => end(own.principal), idleMs);
        own.timer.unref();
      }
    }
  }

  return {
    ...core,
    callTool: (principal, request, signal, extra) =>
      tracked(principal, () => core.callTool(principal, request, signal, extra)),
    listTools: (principal, signal) => tracked(principal, () => core.listTools(principal, signal)),
    readResource: (principal, request, signal) =>
      tracked(principal, () => core.readResource(principal, request, signal)),
    endSession: end,
  };
}
