// The per-request user assertion of gateway and public modes (docs/architecture.md, "Trust
// between gateway and agent"): an HS256 JWT, sub = user id, aud = binding id, signed with the
// binding's assertion_key. Tokens are re-used until half their lifetime has passed: signing
// per HTTP request would cost more than the proxying itself.
import { SignJWT } from 'jose';

export interface AssertionSigner {
  /** A valid assertion now (cached; signs a new one when the cached one is half used). */
  current(): Promise<string>;
}

export interface AssertionParams {
  readonly key: Uint8Array;
  readonly userId: string;
  readonly bindingId: string;
  /** Lifetime of one token in seconds (the agent accepts at most 5 minutes). */
  readonly ttlS: number;
  readonly now?: () => number;
}

export function signAssertion(params: AssertionParams): Promise<string> {
  const issuedAt = Math.floor((params.now ?? Date.now)() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(params.userId)
    .setAudience(params.bindingId)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + params.ttlS)
    .sign(params.key);
}

export function createAssertionSigner(params: AssertionParams): AssertionSigner {
  const now = params.now ?? Date.now;
  let cached: { token: Promise<string>; renewAt: number } | undefined;
  return {
    current() {
      if (!cached || now() >= cached.renewAt) {
        const token = signAssertion(params);
        cached = { token, renewAt: now() + (params.ttlS * 1000) / 2 };
        token.catch(() => (cached = undefined));
      }
      return cached.token;
    },
  };
}
