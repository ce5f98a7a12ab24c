// Resource subscriptions that outlive one MCP session of the agent. A gateway replica that
// receives a client's `resources/subscribe` forwards it over whichever agent session it has,
// naming the client's session in `_meta[SUBSCRIBER_META]`; the replica that holds the
// client's notification stream opens an agent session of its own declaring the same
// subscriber (client capability `experimental[SUBSCRIBER_CAPABILITY].id`), and that session
// gets the resources/updated notifications. The agent, one per user, is the one place every
// replica reaches, so the subscription set lives here and no replica has to share state.
// Bounded: the oldest subscriber goes when a new one would pass the cap.

import { SUBSCRIBER_CAPABILITY, SUBSCRIBER_META } from '@warmgate/contract/meta-keys';

export { SUBSCRIBER_CAPABILITY, SUBSCRIBER_META };

const MAX_SUBSCRIBERS = 256;
const MAX_URIS_PER_SUBSCRIBER = 256;
const MAX_SUBSCRIBER_CHARS = 200;

export class SubscriberRegistry {
  private readonly subscribers = new Map<string, Set<string>>();

  add(subscriber: string, uri: string): void {
    let uris = this.subscribers.get(subscriber);
    if (!uris) {
      if (this.subscribers.size >= MAX_SUBSCRIBERS) {
        const [oldest] = this.subscribers.keys();
        if (oldest !== undefined) this.subscribers.delete(oldest);
      }
      uris = new Set();
      this.subscribers.set(subscriber, uris);
    }
    if (uris.size < MAX_URIS_PER_SUBSCRIBER) uris.add(uri);
  }

  remove(subscriber: string, uri: string): void {
    const uris = this.subscribers.get(subscriber);
    uris?.delete(uri);
    if (uris?.size === 0) this.subscribers.delete(subscriber);
  }

  has(subscriber: string, uri: string): boolean {
    return this.subscribers.get(subscriber)?.has(uri) ?? false;
  }
}

/** The subscriber a request's `_meta` or a client's capabilities name, if a sane one. */
export function subscriberOf(holder: Record<string, unknown> | undefined): string | undefined {
  const value = holder?.[SUBSCRIBER_META];
  const id = typeof value === 'object' && value !== null ? (value as { id?: unknown }).id : value;
  return typeof id === 'string' && id.length > 0 && id.length <= MAX_SUBSCRIBER_CHARS
    ? id
    : undefined;
}
