// Tokens for tests: gateway-mode JWTs signed with a shared HS256 secret, and direct-mode
// JWEs encrypted to a key the gateway never sees.
import { CompactEncrypt, generateKeyPair, SignJWT } from 'jose';
import type { AuthConfig } from '../../src/config.js';

export const testSecret = 'a-test-secret-that-is-long-enough-for-hs256!';
export const testIssuer = 'https://issuer.test';
export const testAudience = 'warmgate';

export const testAuth: AuthConfig = {
  publicEnabled: true,
  publicTier: 'free',
  publicSessionTimeoutMs: 60_000,
  hs256Secret: testSecret,
  issuer: testIssuer,
  audience: testAudience,
  tierClaim: 'tier',
  defaultTier: 'free',
  directEnabled: true,
  directDefaultTier: 'enterprise',
  clockToleranceS: 0,
};

export interface TokenOptions {
  readonly sub?: string;
  readonly tier?: string;
  readonly issuer?: string;
  readonly audience?: string;
  readonly secret?: string;
  /** Seconds from now; negative = already expired. */
  readonly expiresIn?: number;
}

export function jwt(options: TokenOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = {};
  if (options.tier) claims.tier = options.tier;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(options.sub ?? 'alice')
    .setIssuer(options.issuer ?? testIssuer)
    .setAudience(options.audience ?? testAudience)
    .setIssuedAt(now - 60)
    .setExpirationTime(now + (options.expiresIn ?? 300))
    .sign(new TextEncoder().encode(options.secret ?? testSecret));
}

/** A JWE whose protected header carries routing hints (sub, tier). */
export async function jwe(header: { sub?: string; tier?: string }): Promise<string> {
  const { publicKey } = await generateKeyPair('RSA-OAEP-256');
  return new CompactEncrypt(new TextEncoder().encode('inner-jwt'))
    .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM', ...header })
    .encrypt(publicKey);
}
