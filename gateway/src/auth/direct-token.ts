// Direct mode: the client's credential is a JWE the gateway cannot decrypt (the agent holds
// the key). The gateway only reads its protected header for routing — `sub` (the user id)
// and `tier` — and forwards the token untouched. A forged header gains nothing: the agent it
// reaches decrypts the token itself and refuses a subject other than its bound user.
import { decodeProtectedHeader } from 'jose';
import { MAX_USER_ID_LENGTH } from '@warmgate/contract';
import { errors } from '@warmgate/proto';

export interface DirectRouting {
  readonly userId: string;
  readonly tier: string;
}

/** True for a JWE in compact serialisation (five dot-separated parts; a JWS has three). */
export function looksLikeJwe(token: string): boolean {
  return token.split('.').length === 5;
}

export function routingOfJwe(token: string, defaultTier: string): DirectRouting {
  let header: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(token) as Record<string, unknown>;
  } catch (cause) {
    throw errors.unauthenticated('direct-mode token malformed: unreadable JWE header', cause);
  }
  if (typeof header.enc !== 'string') {
    throw errors.unauthenticated('direct-mode token malformed: not a JWE (no "enc" header)');
  }
  const userId = header.sub;
  if (typeof userId !== 'string' || userId === '' || userId.length > MAX_USER_ID_LENGTH) {
    throw errors.unauthenticated('direct-mode token has no "sub" in its protected header');
  }
  const tier = header.tier;
  if (tier !== undefined && typeof tier !== 'string') {
    throw errors.unauthenticated('direct-mode token "tier" header must be a string');
  }
  return { userId, tier: tier || defaultTier };
}
