// Leader election over one lease record, after client-go's leaderelection: a candidate takes
// the lease when it is free or when it has not seen it renewed for a whole lease duration *by
// its own clock* (the holder's timestamps are never compared with ours, so clock skew between
// nodes cannot hand out two leaderships). The leader renews every retry period and steps down
// when it could not renew for `renewDeadlineMs` — before the lease can expire for the others.
import type { LeaseRecord, LeaseStore, StoredLease } from './lease-store.js';

export interface ElectorClock {
  now(): number;
  /** Resolves after `ms`, or early when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const systemClock: ElectorClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    }),
};

export interface LeaderElectorOptions {
  readonly store: LeaseStore;
  /** Unique per candidate, e.g. the pod name. */
  readonly identity: string;
  readonly leaseDurationMs?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
  readonly clock?: ElectorClock;
  /** Called on becoming leader; `signal` aborts when leadership ends. */
  readonly onStartedLeading: (signal: AbortSignal) => void;
  readonly onStoppedLeading: () => void;
  readonly onError?: (error: unknown) => void;
}

export interface LeaderElector {
  /** Runs the election loop until stop(); resolves at once. */
  start(): void;
  /** One election step at the clock's now (the loop calls this; tests drive it directly). */
  step(): Promise<boolean>;
  isLeader(): boolean;
  /** Stops the loop and, if leading, releases the lease so another takes over at once. */
  stop(): Promise<void>;
}

export function createLeaderElector(options: LeaderElectorOptions): LeaderElector {
  const { store, identity } = options;
  const leaseDurationMs = options.leaseDurationMs ?? 15_000;
  const renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
  const retryPeriodMs = options.retryPeriodMs ?? 2_000;
  const clock = options.clock ?? systemClock;
  if (!(retryPeriodMs < renewDeadlineMs && renewDeadlineMs < leaseDurationMs)) {
    throw new Error('leader election needs retryPeriod < renewDeadline < leaseDuration');
  }
  const leaseSeconds = Math.ceil(leaseDurationMs / 1000);

  let observed: StoredLease | undefined;
  let observedAt = 0;
  let lastRenew = 0;
  let leadership: AbortController | undefined;
  const stopping = new AbortController();
  let loop: Promise<void> | undefined;

  const observe = (lease: StoredLease | undefined, now: number): void => {
    if (lease?.version !== observed?.version) {
      observed = lease;
      observedAt = now;
    }
  };

  const tryAcquireOrRenew = async (now: number): Promise<boolean> => {
    const current = await store.get();
    observe(current, now);
    const mine = current?.holderIdentity === identity;
    const record: LeaseRecord = {
      holderIdentity: identity,
      leaseDurationSeconds: leaseSeconds,
      acquireTime: mine ? current!.acquireTime : now,
      renewTime: now,
      leaseTransitions: (current?.leaseTransitions ?? 0) + (mine || !current ? 0 : 1),
    };
    if (current === undefined) return (await store.create(record)).ok;
    const heldByOther =
      !mine && current.holderIdentity !== '' && observedAt + leaseSeconds * 1000 > now;
    if (heldByOther) return false;
    return (await store.update(record, current.version)).ok;
  };

  const begin = (): void => {
    leadership = new AbortController();
    options.onStartedLeading(leadership.signal);
  };
  const end = (): void => {
    const ending = leadership;
    leadership = undefined;
    if (ending === undefined) return;
    ending.abort();
    options.onStoppedLeading();
  };

  const step = async (): Promise<boolean> => {
    const now = clock.now();
    let ok = false;
    try {
      ok = await tryAcquireOrRenew(now);
    } catch (error) {
      options.onError?.(error);
    }
    if (stopping.signal.aborted) return false;
    if (ok) {
      lastRenew = now;
      if (leadership === undefined) begin();
    } else if (leadership !== undefined && clock.now() - lastRenew >= renewDeadlineMs) {
      end();
    }
    return ok;
  };

  return {
    start() {
      loop ??= (async () => {
        while (!stopping.signal.aborted) {
          await step();
          await clock.sleep(retryPeriodMs, stopping.signal);
        }
      })();
    },
    step,
    isLeader: () => leadership !== undefined,
    async stop() {
      stopping.abort();
      await loop;
      if (leadership === undefined) return;
      end();
      try {
        const current = await store.get();
        if (current?.holderIdentity === identity) {
          const now = clock.now();
          await store.update(
            { ...current, holderIdentity: '', leaseDurationSeconds: 1, renewTime: now },
            current.version,
          );
        }
      } catch (error) {
        options.onError?.(error); // the lease then simply expires
      }
    },
  };
}
