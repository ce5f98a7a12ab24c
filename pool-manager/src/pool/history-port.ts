// Where the learned claim history survives a restart. The pool core only sees this port:
// a JSON file in WARMGATE_POOL_STATE_DIR on one machine, a ConfigMap on Kubernetes.
import type { ClaimHistoryRecord } from './claim-history.js';

export interface HistorySnapshot {
  readonly version: 1;
  readonly bucketMs: number;
  /** Clock ms of the save. */
  readonly savedAt: number;
  readonly profiles: Readonly<Record<string, ClaimHistoryRecord>>;
}

export interface HistoryStore {
  /** The saved snapshot as parsed JSON (unchecked), undefined when none was saved yet. */
  load(): Promise<unknown>;
  save(snapshot: HistorySnapshot): Promise<void>;
}

/** The profiles' records of a loaded snapshot; throws with the reason when it is unusable. */
export function parseSnapshot(raw: unknown, bucketMs: number): Map<string, unknown> {
  if (typeof raw !== 'object' || raw === null) throw new Error('not a JSON object');
  const snapshot = raw as Partial<HistorySnapshot>;
  if (snapshot.version !== 1) throw new Error(`unknown version ${String(snapshot.version)}`);
  if (snapshot.bucketMs !== bucketMs) {
    throw new Error(`saved with ${String(snapshot.bucketMs)} ms buckets, now ${bucketMs} ms`);
  }
  if (typeof snapshot.profiles !== 'object' || snapshot.profiles === null) {
    throw new Error('"profiles" is not an object');
  }
  return new Map(Object.entries(snapshot.profiles));
}

/** An in-memory store: tests and the sizing simulation. */
export function createMemoryHistoryStore(initial?: unknown): HistoryStore & {
  readonly saved: HistorySnapshot | undefined;
} {
  let stored: unknown = initial;
  let saved: HistorySnapshot | undefined;
  return {
    get saved() {
      return saved;
    },
    load: async () => (stored === undefined ? undefined : structuredClone(stored)),
    save: async (snapshot) => {
      saved = structuredClone(snapshot);
      stored = saved;
    },
  };
}
