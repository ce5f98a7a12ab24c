// The JWT defaults of gateway mode: `exp` required, warnings when issuer or audience is unset,
// a JWKS URL only over https (http only to a loopback host).
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { testAudience, testAuth, testIssuer, testSecret } from '../../test/support/tokens.js';
import { jwksUrlAllowed, loadConfig } from '../config.js';
import { authWarnings } from './auth-warnings.js';
import { createAuthenticator } from './authenticator.js';

describe('JWT defaults', () => {
  it('refuses a token without exp, naming the claim', async () => {
    const now = Math.floor(Date.now() / 1000);
    const forever = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('alice')
      .setIssuer(testIssuer)
      .setAudience(testAudience)
      .setIssuedAt(now)
      .sign(new TextEncoder().encode(testSecret));
    await expect(createAuthenticator(testAuth).authenticate(forever)).rejects.toMatchObject({
      code: 16,
      message: 'token has no expiry ("exp" is required)',
    });
  });

  it('warns at start-up when issuer or audience is unset (gateway mode only)', () => {
    expect(authWarnings(testAuth)).toEqual([]);
    const { issuer: _i, audience: _a, ...bare } = testAuth;
    const warnings = authWarnings(bare);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^WARMGATE_AUTH_ISSUER is unset/);
    expect(warnings[1]).toMatch(/^WARMGATE_AUTH_AUDIENCE is unset/);
    const { hs256Secret: _s, ...noGatewayMode } = bare;
    expect(authWarnings(noGatewayMode)).toEqual([]);
  });

  it('takes a JWKS only over https, or http to a loopback host', () => {
    expect(jwksUrlAllowed('https://issuer.example.com/.well-known/jwks.json')).toBe(true);
    expect(jwksUrlAllowed('http://127.0.0.1:9000/jwks')).toBe(true);
    expect(jwksUrlAllowed('http://localhost/jwks')).toBe(true);
    expect(jwksUrlAllowed('http://[::1]:8000/jwks')).toBe(true);
    expect(jwksUrlAllowed('http://issuer.example.com/jwks')).toBe(false);
    expect(jwksUrlAllowed('http://127.0.0.1.evil.example/jwks')).toBe(false);
    expect(jwksUrlAllowed('http://10.0.0.7/jwks')).toBe(false);
    expect(() => loadConfig({ WARMGATE_AUTH_JWKS_URL: 'http://issuer.example.com/jwks' })).toThrow(
      /WARMGATE_AUTH_JWKS_URL: must be https \(http only to a loopback host\)/,
    );
    expect(
      loadConfig({ WARMGATE_AUTH_JWKS_URL: 'https://issuer.example.com/jwks' }).auth.jwksUrl,
    ).toBe('https://issuer.example.com/jwks');
  });
});
