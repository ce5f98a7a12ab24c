// The repo store's credential: good for one user's repository, one binding, until it expires.
// An HMAC (the store and the pool manager share the store secret), so the store needs no
// database to check it and a pool-manager restart invalidates nothing:
//   wgr1.<base64url {"sub":userId,"bid":bindingId,"exp":unixMs}>.<base64url HMAC-SHA256>
import { createHmac, timingSafeEqual } from 'node:crypto';
import { errors } from '@warmgate/proto';

const PREFIX = 'wgr1';

export interface RepoCredentialClaims {
  readonly userId: string;
  readonly bindingId: string;
  /** Expiry, ms since the epoch. */
  readonly expiresAt: number;
}

export interface MintOptions {
  readonly secret: Uint8Array | string;
  readonly userId: string;
  readonly bindingId: string;
  /** How long the credential works; it must outlive the binding's final push at drain. */
  readonly ttlMs: number;
  readonly now?: number;
}

export function mintRepoCredential(options: MintOptions): string {
  if (options.userId === '' || options.bindingId === '') {
    throw errors.invalidArgument('a repo credential needs a user id and a binding id');
  }
  const claims = {
    sub: options.userId,
    bid: options.bindingId,
    exp: (options.now ?? Date.now()) + options.ttlMs,
  };
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${PREFIX}.${payload}.${sign(options.secret, payload)}`;
}

/** The claims of a valid, unexpired credential; UNAUTHENTICATED otherwise. */
export function verifyRepoCredential(
  secret: Uint8Array | string,
  token: string,
  now: number = Date.now(),
): RepoCredentialClaims {
  const [prefix, payload, signature, ...rest] = token.split('.');
  if (prefix !== PREFIX || !payload || !signature || rest.length > 0) {
    throw errors.unauthenticated('malformed repo credential');
  }
  const expected = Buffer.from(sign(secret, payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw errors.unauthenticated('repo credential signature does not verify');
  }
  let claims: { sub?: unknown; bid?: unknown; exp?: unknown };
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof claims;
  } catch (cause) {
    throw errors.unauthenticated('malformed repo credential', cause);
  }
  const { sub, bid, exp } = claims;
  if (typeof sub !== 'string' || typeof bid !== 'string' || typeof exp !== 'number') {
    throw errors.unauthenticated('malformed repo credential');
  }
  if (exp <= now) throw errors.unauthenticated('repo credential expired');
  return { userId: sub, bindingId: bid, expiresAt: exp };
}

function sign(secret: Uint8Array | string, payload: string): string {
  return createHmac('sha256', secret).update(`${PREFIX}.${payload}`).digest('base64url');
}
