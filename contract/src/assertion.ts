// The per-request user assertion of gateway and public modes (docs/architecture.md, "Trust
// between gateway and agent"): an HS256 JWT, sub = user id, aud = binding id, exp ≤ 5 min,
// signed with the binding's assertion_key. Signing lives here too, so the gateway and the
// agent share one implementation of the contract.
import { SignJWT, jwtVerify } from 'jose';
import { errors } from '@warmgate/proto';

export const ASSERTION_HEADER = 'x-warmgate-assertion';
/** The longest lifetime the agent accepts. */
export const MAX_ASSERTION_TTL_S = 300;

export interface AssertionClaims {
  userId: string;
  bindingId: string;
  /** Lifetime in seconds (default and maximum 300). */
  ttlS?: number;
  /** Clock in ms since the epoch (tests). */
  now?: number;
}

export function signAssertion(key: Uint8Array, claims: AssertionClaims): Promise<string> {
  const ttl = Math.min(claims.ttlS ?? MAX_ASSERTION_TTL_S, MAX_ASSERTION_TTL_S);
  const issuedAt = Math.floor((claims.now ?? Date.now()) / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.userId)
    .setAudience(claims.bindingId)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + ttl)
    .sign(key);
}

/**
 * Verifies an assertion for this binding: signature with its key, audience = binding id,
 * subject = bound user, not expired, and a lifetime of at most five minutes.
 * Resolves with the token's expiry (seconds since the epoch), so a caller may remember it.
 * @throws WarmgateError UNAUTHENTICATED (no/invalid token) or PERMISSION_DENIED (valid token
 * for someone else).
 */
export async function verifyAssertion(
  token: string | undefined,
  binding: { assertionKey: Uint8Array; bindingId: string; userId: string },
  now: number = Date.now(),
): Promise<{ expiresAtS: number }> {
  if (!token) throw errors.unauthenticated(`missing ${ASSERTION_HEADER} header`);
  let payload;
  try {
    ({ payload } = await jwtVerify(token, binding.assertionKey, {
      algorithms: ['HS256'],
      audience: binding.bindingId,
      currentDate: new Date(now),
      requiredClaims: ['sub', 'exp', 'iat'],
    }));
  } catch (cause) {
    throw errors.unauthenticated(
      `assertion refused: ${(cause as Error).message || 'invalid token'}`,
      cause,
    );
  }
  if ((payload.exp ?? 0) - (payload.iat ?? 0) > MAX_ASSERTION_TTL_S) {
    throw errors.unauthenticated('assertion refused: lifetime longer than 5 minutes');
  }
  if (payload.sub !== binding.userId) {
    throw errors.permissionDenied('assertion is for another user than the one this agent serves');
  }
  return { expiresAtS: payload.exp! };
}
