// The per-request user assertion of gateway and public modes (docs/architecture.md, "Trust
// between gateway and agent"). Signing is @warmgate/contract's signAssertion, the same code the
// agent verifies against, so the contract lives in one place. Tokens are re-used until half
// their lifetime has passed: signing per HTTP request would cost more than the proxying.
import { signAssertion } from '@warmgate/contract';

export interface AssertionSigner {
  /** A valid assertion now (cached; signs a new one when the cached one is half used). */
  current(): Promise<string>;
}

export interface AssertionParams {
  readonly key: Uint8Array;
  readonly userId: string;
  readonly bindingId: string;
  /** Lifetime of one token in seconds (the agent accepts at most 300). */
  readonly ttlS: number;
  readonly now?: () => number;
}

export function createAssertionSigner(params: AssertionParams): AssertionSigner {
  const now = params.now ?? Date.now;
  let cached: { token: Promise<string>; renewAt: number } | undefined;
  return {
    current() {
      if (!cached || now() >= cached.renewAt) {
        const { key, userId, bindingId, ttlS } = params;
        const token = signAssertion(key, { userId, bindingId, ttlS, now: now() });
        cached = { token, renewAt: now() + (ttlS * 1000) / 2 };
        token.catch(() => (cached = undefined));
      }
      return cached.token;
    },
  };
}
