// The session core as one transport sees it: every request first passes the principal's
// request rate. Transports wrap the core with this; the core itself knows nothing of it.
import type { SessionCore } from '../core/session/session-core.js';
import type { Admission, RequestTransport } from './admission.js';

export function admittedCore(
  core: SessionCore,
  admission: Admission | undefined,
  transport: RequestTransport,
): SessionCore {
  if (!admission) return core;
  return {
    authenticate: (token) => core.authenticate(token),
    chat(principal, requests, signal) {
      admission.request(principal, transport);
      return core.chat(principal, requests, signal);
    },
    async callTool(principal, request, signal, extra) {
      admission.request(principal, transport);
      return core.callTool(principal, request, signal, extra);
    },
    async listTools(principal, signal) {
      admission.request(principal, transport);
      return core.listTools(principal, signal);
    },
    async readResource(principal, request, signal) {
      admission.request(principal, transport);
      return core.readResource(principal, request, signal);
    },
    endSession: (principal) => core.endSession(principal),
    async subscribe(principal, uri, subscriber, signal) {
      admission.request(principal, transport);
      return core.subscribe(principal, uri, subscriber, signal);
    },
    async unsubscribe(principal, uri, subscriber, signal) {
      admission.request(principal, transport);
      return core.unsubscribe(principal, uri, subscriber, signal);
    },
    async listen(principal, request, onUpdated, signal) {
      admission.request(principal, transport);
      return core.listen(principal, request, onUpdated, signal);
    },
    // A cancellation frees work: never refused for rate.
    cancelCall: (principal, callName, reason) => core.cancelCall(principal, callName, reason),
  };
}
