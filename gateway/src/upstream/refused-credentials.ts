// Direct mode: the gateway cannot read a client's credential (a JWE to the agent's key), so
// the pool manager verifies it at Acquire. Without memory, an anonymous client repeating a
// forged credential made the gateway ask the pool manager once per request. A credential the
// pool manager refused is now refused again here, without asking, for `ttlMs`: one
// pool-manager verification per forged credential and minute, however many requests carry it.
// Keyed by the SHA-256 of the user id and the credential together (the credential itself is
// not kept): the pool manager also refuses (PERMISSION_DENIED) a valid credential sent with
// another user's id, and a memory keyed by the credential alone would let whoever holds a
// user's credential get it refused for that user too. Bounded, the oldest forgotten first.
// Only refusals of the credential are remembered (UNAUTHENTICATED, or PERMISSION_DENIED for
// a credential issued to another user), never an unavailable pool.
import { createHash } from 'node:crypto';
import { ErrorCode, WarmgateError } from '@warmgate/proto';
import type { PoolApi } from './pool-client.js';

export const REFUSED_CREDENTIAL_TTL_MS = 60_000;
export const REFUSED_CREDENTIALS_MAX = 10_000;

const remembered = new Set([ErrorCode.UNAUTHENTICATED, ErrorCode.PERMISSION_DENIED]);

export function rememberRefusedCredentials(
  pool: PoolApi,
  options: { ttlMs?: number; max?: number; now?: () => number } = {},
): PoolApi {
  const ttlMs = options.ttlMs ?? REFUSED_CREDENTIAL_TTL_MS;
  const max = options.max ?? REFUSED_CREDENTIALS_MAX;
  const now = options.now ?? Date.now;
  const refused = new Map<string, { error: WarmgateError; until: number }>();
  // Length-prefixed, so no user id and credential pair spells another pair's key.
  const digest = (userId: string, credential: string) =>
    createHash('sha256').update(`${userId.length}:${userId}\n${credential}`).digest('hex');

  const remembers: PoolApi = {
    async acquire(request, callOptions) {
      if (!request.credential) return pool.acquire(request, callOptions);
      const key = digest(request.userId, request.credential);
      const known = refused.get(key);
      if (known !== undefined) {
        if (now() < known.until) throw known.error;
        refused.delete(key);
      }
      try {
        return await pool.acquire(request, callOptions);
      } catch (error) {
        const failure = WarmgateError.from(error);
        if (remembered.has(failure.code)) {
          refused.set(key, { error: failure, until: now() + ttlMs });
          if (refused.size > max) refused.delete(refused.keys().next().value!);
        }
        throw error;
      }
    },
    touch: (request, callOptions) => pool.touch(request, callOptions),
  };
  if (pool.release) {
    const release = pool.release.bind(pool);
    return { ...remembers, release };
  }
  return remembers;
}
