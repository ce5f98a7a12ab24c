// Authentication of Warmgate's internal gRPC hops (gateway → pool manager, pool manager →
// sidecar): a shared secret sent as `authorization: Bearer <secret>` metadata and compared in
// constant time. Secrets are opaque strings; where they come from is the services' business.
import { createHash, timingSafeEqual } from 'node:crypto';
import { errors } from '../errors.js';
import type { HandlerContext } from './types.js';

/** The metadata a client sends with every call. */
export function bearerHeaders(secret: string): Record<string, string> {
  return { authorization: `Bearer ${secret}` };
}

/**
 * A check for `addService(..., { authenticate })`: refuses (UNAUTHENTICATED) any call whose
 * `authorization` metadata is not `Bearer <secret>`. Both sides are hashed first, so the
 * comparison takes the same time whatever the length of what the caller sent.
 */
export function requireBearer(secret: string, service: string): (context: HandlerContext) => void {
  if (secret.length === 0) throw new Error(`${service}: an empty secret would let anyone in`);
  const expected = digest(`Bearer ${secret}`);
  return (context) => {
    const given = context.headers.authorization;
    if (given === undefined) throw errors.unauthenticated(`${service}: no credential`);
    if (!timingSafeEqual(digest(given), expected)) {
      throw errors.unauthenticated(`${service}: wrong credential`);
    }
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
