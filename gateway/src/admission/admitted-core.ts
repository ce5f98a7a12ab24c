// The session core as one transport sees it: every request first passes the principal's
// request rate. Transports wrap the core with this; the core itself knows nothing of it.
// A direct-mode principal is counted only once the pool manager has verified its credential
// (core.admissionPrincipal binds it first): its user id and tier before that are the JWE's
// unverified header, and a bucket keyed by them would let anyone spend another user's rate.
import { AuthMode } from '@warmgate/proto';
import type { Principal } from '../core/ports.js';
import type { SessionCore } from '../core/session/session-core.js';
import type { Admission, RequestTransport } from './admission.js';

export function admittedCore(
  core: SessionCore,
  admission: Admission | undefined,
  transport: RequestTransport,
): SessionCore {
  if (!admission) return core;
  const admit = async (principal: Principal, signal: AbortSignal) => {
    const counted =
      principal.mode === AuthMode.DIRECT && core.admissionPrincipal
        ? await core.admissionPrincipal(principal, signal)
        : principal;
    admission.request(counted, transport);
  };
  return {
    authenticate: (token) => core.authenticate(token),
    chat(principal, requests, signal) {
      if (principal.mode !== AuthMode.DIRECT) {
        admission.request(principal, transport);
        return core.chat(principal, requests, signal);
      }
      return (async function* () {
        await admit(principal, signal);
        yield* core.chat(principal, requests, signal);
      })();
    },
    async callTool(principal, request, signal, extra) {
      await admit(principal, signal);
      return core.callTool(principal, request, signal, extra);
    },
    async listTools(principal, signal) {
      await admit(principal, signal);
      return core.listTools(principal, signal);
    },
    async readResource(principal, request, signal) {
      await admit(principal, signal);
      return core.readResource(principal, request, signal);
    },
    endSession: (principal) => core.endSession(principal),
    async subscribe(principal, uri, subscriber, signal) {
      await admit(principal, signal);
      return core.subscribe(principal, uri, subscriber, signal);
    },
    async unsubscribe(principal, uri, subscriber, signal) {
      await admit(principal, signal);
      return core.unsubscribe(principal, uri, subscriber, signal);
    },
    async listen(principal, request, onUpdated, signal) {
      await admit(principal, signal);
      return core.listen(principal, request, onUpdated, signal);
    },
    // A cancellation frees work: never refused for rate.
    cancelCall: (principal, callName, reason) => core.cancelCall(principal, callName, reason),
    ...(core.admissionPrincipal ? { admissionPrincipal: core.admissionPrincipal } : {}),
  };
}
