// Gateway mode: the gateway verifies the user's JWT itself, with a JWKS URL, a PEM public
// key or a shared HS256 secret (exactly one, checked by config.ts), plus issuer/audience.
import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import {
  createRemoteJWKSet,
  errors as jose,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { MAX_USER_ID_LENGTH } from '@warmgate/contract';
import { errors, WarmgateError } from '@warmgate/proto';
import type { AuthConfig } from '../config.js';
import { refusalFromJose } from './jose-errors.js';

export interface VerifiedJwt {
  readonly userId: string;
  readonly tier: string;
  /** ms since the epoch, from `exp`. */
  readonly expiresAt?: number;
}

export type JwtVerifier = (token: string) => Promise<VerifiedJwt>;

const asymmetric = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
];

/** A verifier for the configured key, or undefined when gateway mode has no key. */
export function createJwtVerifier(
  auth: AuthConfig,
  now: () => number = Date.now,
): JwtVerifier | undefined {
  const key = keyOf(auth);
  if (!key) return undefined;
  const options = {
    algorithms: key.algorithms,
    issuer: auth.issuer,
    audience: auth.audience,
    clockTolerance: auth.clockToleranceS,
    // A token without `exp` would never expire: refused.
    requiredClaims: ['sub', 'exp'],
  };
  return async (token) => {
    const checks = { ...options, currentDate: new Date(now()) };
    let payload: JWTPayload;
    try {
      // Two overloads (a key or a key function); both shapes are valid here.
      payload =
        typeof key.key === 'function'
          ? (await jwtVerify(token, key.key, checks)).payload
          : (await jwtVerify(token, key.key, checks)).payload;
    } catch (error) {
      // The JWKS outage (UNAVAILABLE, retryable) is already ours; everything else is the token's.
      if (error instanceof WarmgateError) throw error;
      throw refusalFromJose(error);
    }
    const userId = payload.sub;
    if (typeof userId !== 'string' || userId === '' || userId.length > MAX_USER_ID_LENGTH) {
      throw errors.unauthenticated('token "sub" claim missing or invalid');
    }
    const rawTier = payload[auth.tierClaim];
    if (rawTier !== undefined && typeof rawTier !== 'string') {
      throw errors.unauthenticated(`token "${auth.tierClaim}" claim must be a string`);
    }
    return {
      userId,
      tier: rawTier || auth.defaultTier,
      expiresAt: typeof payload.exp === 'number' ? payload.exp * 1000 : undefined,
    };
  };
}

function keyOf(
  auth: AuthConfig,
): { key: KeyObject | JWTVerifyGetKey; algorithms: string[] } | undefined {
  if (auth.hs256Secret !== undefined) {
    return { key: createSecretKey(Buffer.from(auth.hs256Secret, 'utf8')), algorithms: ['HS256'] };
  }
  if (auth.publicKeyPem !== undefined) {
    return { key: createPublicKey(auth.publicKeyPem), algorithms: asymmetric };
  }
  if (auth.jwksUrl !== undefined) {
    return {
      key: unavailableWhenUnreachable(createRemoteJWKSet(new URL(auth.jwksUrl))),
      algorithms: asymmetric,
    };
  }
  return undefined;
}

/**
 * The JWKS getter, with "could not get the keys" (connection refused, timeout, non-200, not a
 * JWKS) turned into UNAVAILABLE: the token may be fine, so the client should retry later
 * rather than drop it. "No key matches the token" stays the token's fault.
 */
function unavailableWhenUnreachable(getKey: JWTVerifyGetKey): JWTVerifyGetKey {
  return async (header, token) => {
    try {
      return await getKey(header, token);
    } catch (error) {
      if (
        error instanceof jose.JWKSNoMatchingKey ||
        error instanceof jose.JWKSMultipleMatchingKeys ||
        error instanceof jose.JOSENotSupported
      ) {
        throw error;
      }
      throw errors.unavailable('the JWKS could not be fetched to verify the token; retry', error);
    }
  };
}
