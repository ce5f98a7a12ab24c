// Tool calls in flight on this agent that a gateway may cancel from any of its MCP sessions.
// A gateway replica names each call it forwards (`_meta[CALL_META]`: the client's session and
// request id); a replica that receives the client's notifications/cancelled for a request it
// does not run sends CANCEL_NOTIFICATION with that name over its own agent session, and the
// call's signal aborts here, whichever session runs it. Same-session cancellation needs none
// of this: the SDK aborts the handler's own signal on notifications/cancelled.
import { CALL_META, CANCEL_NOTIFICATION } from '@warmgate/contract/meta-keys';
import { z } from 'zod';

export { CALL_META, CANCEL_NOTIFICATION };

export const CancelNotificationSchema = z.object({
  method: z.literal(CANCEL_NOTIFICATION),
  params: z.object({ call: z.string().max(400), reason: z.string().max(200).optional() }),
});

const MAX_CALLS = 1024;
/** Cancellations of calls not (yet) running, remembered this long: one may overtake its call. */
const EARLY_CANCEL_TTL_MS = 60_000;
const MAX_EARLY_CANCELS = 256;

export class CallRegistry {
  private readonly calls = new Map<string, AbortController>();
  /** Name → when it stops mattering: a cancel that reached the agent before its call. */
  private readonly early = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Registers a named call; the returned signal aborts on cancel(name). Call `done` after. */
  start(name: string | undefined): { signal: AbortSignal | undefined; done(): void } {
    if (name === undefined || this.calls.size >= MAX_CALLS) {
      return { signal: undefined, done: () => {} };
    }
    const controller = new AbortController();
    const early = this.early.get(name);
    if (early !== undefined) {
      this.early.delete(name);
      if (early > this.now()) controller.abort(new DOMException('cancelled', 'AbortError'));
    }
    this.calls.set(name, controller);
    return {
      signal: controller.signal,
      done: () => {
        if (this.calls.get(name) === controller) this.calls.delete(name);
      },
    };
  }

  /**
   * Aborts the named call; one not running yet (the cancel went through another gateway
   * replica and overtook it) is refused when it starts, within EARLY_CANCEL_TTL_MS.
   */
  cancel(name: string, reason: string): boolean {
    const controller = this.calls.get(name);
    if (controller) {
      controller.abort(new DOMException(reason, 'AbortError'));
      return true;
    }
    if (this.early.size >= MAX_EARLY_CANCELS) {
      const [oldest] = this.early.keys();
      if (oldest !== undefined) this.early.delete(oldest);
    }
    this.early.set(name, this.now() + EARLY_CANCEL_TTL_MS);
    return false;
  }
}

export function callNameOf(meta: Record<string, unknown> | undefined): string | undefined {
  const value = meta?.[CALL_META];
  return typeof value === 'string' && value.length > 0 && value.length <= 400 ? value : undefined;
}
