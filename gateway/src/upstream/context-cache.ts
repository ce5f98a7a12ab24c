// The agent's context resources, read once and then served from memory: the gateway
// subscribes to each one, and the agent's notifications/resources/updated drops that entry,
// so the next turn reads it again. A read racing an update is not cached (generation check).
import { CONTEXT_URIS } from '@warmgate/contract';
import type { AgentContext } from '../core/ports.js';

/** The agent's six context resources (@warmgate/contract), one per field of AgentContext. */
export const contextResources = CONTEXT_URIS satisfies Record<keyof AgentContext, string>;

export interface ContextSource {
  /** The resource's text; '' when the agent does not have it. */
  read(uri: string, signal: AbortSignal): Promise<string>;
  /** Asks for notifications/resources/updated on `uri`; false when the agent cannot. */
  subscribe(uri: string, signal: AbortSignal): Promise<boolean>;
}

export interface ContextCache {
  get(signal: AbortSignal): Promise<AgentContext>;
  /** Called for notifications/resources/updated. */
  invalidate(uri: string): void;
}

export function createContextCache(source: ContextSource): ContextCache {
  const values = new Map<string, string>();
  const generations = new Map<string, number>();
  const subscribed = new Map<string, Promise<boolean>>();

  async function one(uri: string, signal: AbortSignal): Promise<string> {
    const cached = values.get(uri);
    if (cached !== undefined) return cached;
    let subscription = subscribed.get(uri);
    if (!subscription) {
      // Subscribe before reading, so an update between the two is not missed.
      subscription = source.subscribe(uri, signal).catch(() => false);
      subscribed.set(uri, subscription);
    }
    const live = await subscription;
    if (!live) subscribed.delete(uri); // try again next time; never cache what we cannot watch
    const generation = generations.get(uri) ?? 0;
    const text = await source.read(uri, signal);
    if (live && (generations.get(uri) ?? 0) === generation) values.set(uri, text);
    return text;
  }

  return {
    async get(signal) {
      const entries = Object.entries(contextResources) as [keyof AgentContext, string][];
      const texts = await Promise.all(entries.map(([, uri]) => one(uri, signal)));
      return Object.fromEntries(
        entries.map(([key], index) => [key, texts[index]!]),
      ) as unknown as AgentContext;
    },
    invalidate(uri) {
      values.delete(uri);
      generations.set(uri, (generations.get(uri) ?? 0) + 1);
    },
  };
}
