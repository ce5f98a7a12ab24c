// Verified JWTs, remembered until they expire (at most a minute): a gRPC terminal sends the
// same bearer token on every call, and verifying it each time (HMAC or RSA, claims) would be
// most of a cheap call's cost. Bounded: the oldest entry goes when it is full.
import type { VerifiedJwt } from './jwt-verifier.js';

export interface VerifiedCache {
  get(token: string): VerifiedJwt | undefined;
  set(token: string, verified: VerifiedJwt): void;
}

export function createVerifiedCache(
  options: { max?: number; maxAgeMs?: number; now?: () => number } = {},
): VerifiedCache {
  const max = options.max ?? 10_000;
  const maxAgeMs = options.maxAgeMs ?? 60_000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, { verified: VerifiedJwt; until: number }>();
  return {
    get(token) {
      const entry = entries.get(token);
      if (!entry) return undefined;
      if (now() >= entry.until) {
        entries.delete(token);
        return undefined;
      }
      return entry.verified;
    },
    set(token, verified) {
      const until = Math.min(verified.expiresAt ?? Infinity, now() + maxAgeMs);
      if (until <= now()) return;
      entries.delete(token);
      entries.set(token, { verified, until });
      if (entries.size > max) entries.delete(entries.keys().next().value!);
    },
  };
}
