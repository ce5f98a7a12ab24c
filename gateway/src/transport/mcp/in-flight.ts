// Requests in flight on this replica, per MCP session: so `notifications/cancelled` can abort
// one, and so one session cannot hold more than `maxPerSession` requests at once. Keyed by
// the session (the principal's sessionId) and the JSON-RPC id: a client cancels only its own
// requests. A cancellation for a request this replica does not run is forwarded to the agent
// by the endpoint (the call carries its name, callNameOf); closing the HTTP request aborts the
// call wherever it runs.
export interface InFlight {
  /**
   * Registers a request; `done` must be called when it ends. Undefined when the session
   * already has `limit` requests running here.
   */
  start(
    session: string,
    id: unknown,
    signal: AbortSignal,
  ): { signal: AbortSignal; done(): void } | undefined;
  readonly limit: number;
  /** Aborts the session's request `id` if it runs here; false when it does not. */
  cancel(session: string, id: unknown, reason: string): boolean;
  readonly size: number;
}

/** The name a tool call carries to the agent, so any replica can cancel it (≤ 400 chars). */
export function callNameOf(session: string, id: unknown): string | undefined {
  const name = `${session}/${JSON.stringify(id)}`;
  return name.length <= 400 ? name : undefined;
}

export function createInFlight(maxPerSession: number): InFlight {
  const running = new Map<string, AbortController>();
  const perSession = new Map<string, number>();
  const keyOf = (session: string, id: unknown) => `${session}\u0000${JSON.stringify(id)}`;
  return {
    start(session, id, signal) {
      const count = perSession.get(session) ?? 0;
      if (count >= maxPerSession) return undefined;
      perSession.set(session, count + 1);
      const key = keyOf(session, id);
      const controller = new AbortController();
      running.set(key, controller);
      let finished = false;
      return {
        signal: AbortSignal.any([signal, controller.signal]),
        done: () => {
          if (finished) return;
          finished = true;
          if (running.get(key) === controller) running.delete(key);
          const left = (perSession.get(session) ?? 1) - 1;
          if (left > 0) perSession.set(session, left);
          else perSession.delete(session);
        },
      };
    },
    cancel(session, id, reason) {
      const controller = running.get(keyOf(session, id));
      controller?.abort(new DOMException(reason, 'AbortError'));
      return controller !== undefined;
    },
    limit: maxPerSession,
    get size() {
      return running.size;
    },
  };
}
