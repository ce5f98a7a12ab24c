// Direct mode: the client's own credential, a JWE the gateway cannot read. The agent
// decrypts it with its key (WARMGATE_AGENT_JWE_PRIVATE_KEY), verifies the inner JWT with the
// configured issuer keys (WARMGATE_DIRECT_ISSUER_KEYS) and serves only the bound user.
// Verified credentials are cached until they expire: decrypting per HTTP request would cost
// more than the request.
import { KeyObject, createPrivateKey, createPublicKey, type JsonWebKey } from 'node:crypto';
import type * as Jose from 'jose';
import type { JSONWebKeySet, JWTVerifyGetKey } from 'jose';
import { errors } from '@warmgate/proto';

/**
 * jose is loaded on the first credential to check, not with this module: a warm sidecar
 * (which makes its verifier at start-up) checks none until it is bound, and jose's ~350
 * modules cost it about 1 MiB resident and start-up time (docs/benchmarks.md, footprint).
 */
let jose: Promise<typeof Jose> | undefined;
const loadJose = () => (jose ??= import('jose'));

export const CREDENTIAL_HEADER = 'x-warmgate-credential';
const MAX_CREDENTIAL_LENGTH = 16 * 1024;
const CACHE_LIMIT = 256;

export interface DirectVerifier {
  /** The subject of a valid credential; throws UNAUTHENTICATED otherwise. */
  verify(credential: string | undefined, now?: number): Promise<string>;
  /** The verified claims of a valid credential (the pool manager reads the tier from them). */
  verifyClaims(credential: string | undefined, now?: number): Promise<DirectClaims>;
}

export interface DirectClaims {
  readonly sub: string;
  readonly claims: Readonly<Record<string, unknown>>;
}

export function createDirectVerifier(
  jwePrivateKey: string | undefined,
  issuerKeys: string | undefined,
): DirectVerifier {
  if (!jwePrivateKey || !issuerKeys) {
    const refuse = () =>
      Promise.reject(
        errors.unauthenticated(
          'direct mode is not configured here (WARMGATE_AGENT_JWE_PRIVATE_KEY and WARMGATE_DIRECT_ISSUER_KEYS)',
        ),
      );
    return { verify: refuse, verifyClaims: refuse };
  }
  const decryptionKey = parsePrivateKey(jwePrivateKey);
  const issuerKeySet = parseIssuerKeys(issuerKeys);
  let issuers: JWTVerifyGetKey | KeyObject | undefined;
  const cache = new Map<string, DirectClaims & { expMs: number }>();
  const verifyClaims = async (
    credential: string | undefined,
    now = Date.now(),
  ): Promise<DirectClaims> => {
    if (!credential) throw errors.unauthenticated(`missing ${CREDENTIAL_HEADER} header`);
    if (credential.length > MAX_CREDENTIAL_LENGTH) {
      throw errors.unauthenticated('credential too large');
    }
    const hit = cache.get(credential);
    if (hit && hit.expMs > now) return hit;
    let verified: DirectClaims & { expMs: number };
    try {
      const { compactDecrypt, createLocalJWKSet, jwtVerify } = await loadJose();
      issuers ??=
        issuerKeySet instanceof KeyObject ? issuerKeySet : createLocalJWKSet(issuerKeySet);
      const { plaintext } = await compactDecrypt(credential, decryptionKey);
      const inner = new TextDecoder().decode(plaintext);
      const { payload } = await jwtVerify(inner, issuers, {
        algorithms: ['RS256', 'PS256', 'ES256', 'ES384', 'EdDSA'],
        currentDate: new Date(now),
        requiredClaims: ['sub', 'exp'],
      });
      verified = { sub: String(payload.sub), claims: payload, expMs: (payload.exp ?? 0) * 1000 };
    } catch (cause) {
      throw errors.unauthenticated(
        `credential refused: ${(cause as Error).message || 'invalid'}`,
        cause,
      );
    }
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    cache.set(credential, verified);
    return verified;
  };
  return {
    verifyClaims,
    verify: async (credential, now) => (await verifyClaims(credential, now)).sub,
  };
}

function parsePrivateKey(raw: string): KeyObject {
  try {
    const text = raw.trim();
    if (text.startsWith('{')) {
      return createPrivateKey({
        key: JSON.parse(text) as JsonWebKey,
        format: 'jwk',
      });
    }
    return createPrivateKey(text);
  } catch (cause) {
    throw errors.invalidArgument(
      'WARMGATE_AGENT_JWE_PRIVATE_KEY must be a private key in PEM or JWK JSON',
      cause,
    );
  }
}

/** A public key, or a key set (made into jose's key lookup on first use). */
function parseIssuerKeys(raw: string): JSONWebKeySet | KeyObject {
  try {
    const text = raw.trim();
    if (text.startsWith('{')) {
      const parsed = JSON.parse(text) as JSONWebKeySet | JsonWebKey;
      if ('keys' in parsed && Array.isArray(parsed.keys)) {
        // What jose's createLocalJWKSet would refuse, refused here at start-up.
        if (!parsed.keys.every((key) => typeof key === 'object' && key !== null)) {
          throw new Error('JSON Web Key Set malformed');
        }
        return parsed as JSONWebKeySet;
      }
      return createPublicKey({ key: parsed as JsonWebKey, format: 'jwk' });
    }
    return createPublicKey(text);
  } catch (cause) {
    throw errors.invalidArgument(
      'WARMGATE_DIRECT_ISSUER_KEYS must be a JWKS or JWK (JSON) or a public key in PEM',
      cause,
    );
  }
}
