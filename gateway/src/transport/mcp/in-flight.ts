// Requests in flight on this replica, so `notifications/cancelled` can abort one. Keyed by
// the session (the principal's sessionId) and the JSON-RPC id: a client cancels only its own
// requests. A cancellation that reaches another replica than its request finds nothing here
// and is ignored, as the spec allows (cancellation is advisory); closing the HTTP request
// aborts the call wherever it runs.
export interface InFlight {
  /** Registers a request; `done` must be called when it ends. */
  start(session: string, id: unknown, signal: AbortSignal): { signal: AbortSignal; done(): void };
  /** Aborts the session's request `id`, if it runs here. */
  cancel(session: string, id: unknown, reason: string): void;
  readonly size: number;
}

export function createInFlight(): InFlight {
  const running = new Map<string, AbortController>();
  const keyOf = (session: string, id: unknown) => `${session}\u0000${JSON.stringify(id)}`;
  return {
    start(session, id, signal) {
      const key = keyOf(session, id);
      const controller = new AbortController();
      running.set(key, controller);
      return {
        signal: AbortSignal.any([signal, controller.signal]),
        done: () => {
          if (running.get(key) === controller) running.delete(key);
        },
      };
    },
    cancel(session, id, reason) {
      running.get(keyOf(session, id))?.abort(new DOMException(reason, 'AbortError'));
    },
    get size() {
      return running.size;
    },
  };
}
