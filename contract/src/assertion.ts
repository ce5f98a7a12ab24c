// The per-request user assertion of gateway and public modes (docs/architecture.md, "Trust
// between gateway and agent"): an HS256 JWT, sub = user id, aud = binding id, exp ≤ 5 min,
// signed with the binding's assertion_key. Signing lives here too, so the gateway and the
// agent share one implementation of the contract. HS256 compact JWS only, on node:crypto: the
// sidecar's first request of a binding no longer loads jose for it (about 20 ms of CPU per
// claim, the largest single cost of a warm claim's first request; docs/benchmarks.md).
import { createHmac, timingSafeEqual } from 'node:crypto';
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

const HEADER = Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url');
const BASE64URL = /^[A-Za-z0-9_-]+$/;

function hmac(key: Uint8Array, input: string): Buffer {
  return createHmac('sha256', key).update(input).digest();
}

export function signAssertion(key: Uint8Array, claims: AssertionClaims): Promise<string> {
  const ttl = Math.min(claims.ttlS ?? MAX_ASSERTION_TTL_S, MAX_ASSERTION_TTL_S);
  const issuedAt = Math.floor((claims.now ?? Date.now()) / 1000);
  const payload = Buffer.from(
    JSON.stringify({
      sub: claims.userId,
      aud: claims.bindingId,
      iat: issuedAt,
      exp: issuedAt + ttl,
    }),
  ).toString('base64url');
  const input = `${HEADER}.${payload}`;
  return Promise.resolve(`${input}.${hmac(key, input).toString('base64url')}`);
}

interface AssertionPayload {
  sub?: unknown;
  aud?: unknown;
  iat?: unknown;
  exp?: unknown;
  nbf?: unknown;
}

/** The checks of a JWT verifier (as jose's jwtVerify made them): a reason, or the payload. */
function checkToken(
  token: string,
  key: Uint8Array,
  audience: string,
  nowS: number,
): string | AssertionPayload {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((part) => BASE64URL.test(part))) {
    return 'not a compact JWS';
  }
  const [head, body, signature] = parts as [string, string, string];
  const header = parseObject(head);
  if (!header) return 'malformed protected header';
  if (header.alg !== 'HS256') return `algorithm ${String(header.alg)} is not allowed`;
  if (header.crit !== undefined) return 'critical header parameters are not supported';
  const expected = hmac(key, `${head}.${body}`);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return 'signature verification failed';
  }
  const payload = parseObject(body) as AssertionPayload | undefined;
  if (!payload) return 'malformed payload';
  for (const claim of ['sub', 'exp', 'iat', 'aud'] as const) {
    if (payload[claim] === undefined) return `missing required "${claim}" claim`;
  }
  for (const claim of ['exp', 'iat', 'nbf'] as const) {
    const value = payload[claim];
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value))) {
      return `"${claim}" claim must be a number`;
    }
  }
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (!audiences.includes(audience)) return 'unexpected "aud" claim value';
  if ((payload.exp as number) <= nowS) return '"exp" claim timestamp check failed';
  if (payload.nbf !== undefined && (payload.nbf as number) > nowS) {
    return '"nbf" claim timestamp check failed';
  }
  return payload;
}

function parseObject(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
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
  const checked = checkToken(
    token,
    binding.assertionKey,
    binding.bindingId,
    Math.floor(now / 1000),
  );
  if (typeof checked === 'string') throw errors.unauthenticated(`assertion refused: ${checked}`);
  const payload = checked as { sub: unknown; iat: number; exp: number };
  if (payload.exp - payload.iat > MAX_ASSERTION_TTL_S) {
    throw errors.unauthenticated('assertion refused: lifetime longer than 5 minutes');
  }
  if (payload.sub !== binding.userId) {
    throw errors.permissionDenied('assertion is for another user than the one this agent serves');
  }
  return { expiresAtS: payload.exp };
}
