import { AuthMode } from '@warmgate/proto';
import { describe, expect, it } from 'vitest';
import { jwe, jwt, testAuth } from '../../test/support/tokens.js';
import { createAuthenticator } from './authenticator.js';

const auth = createAuthenticator(testAuth, { newSessionId: () => 'sid' });

describe('authenticator', () => {
  it('admits a public session without a token', async () => {
    const before = Date.now();
    const principal = await auth.authenticate(undefined);
    expect(principal).toMatchObject({
      sessionId: 'sid',
      userId: 'public-sid',
      tier: 'free',
      mode: AuthMode.PUBLIC,
    });
    expect(principal.expiresAt! - before).toBeGreaterThanOrEqual(60_000);
  });

  it('refuses anonymous sessions when public mode is off', async () => {
    const closed = createAuthenticator({ ...testAuth, publicEnabled: false });
    await expect(closed.authenticate(undefined)).rejects.toThrow(/public sessions are disabled/);
  });

  it('verifies a gateway JWT and takes the tier from its claim', async () => {
    const principal = await auth.authenticate(await jwt({ sub: 'bob', tier: 'pro' }));
    expect(principal).toMatchObject({ userId: 'bob', tier: 'pro', mode: AuthMode.GATEWAY });
    const plain = await auth.authenticate(await jwt({ sub: 'carol' }));
    expect(plain.tier).toBe('free');
  });

  it.each([
    ['token expired', { expiresIn: -60 }],
    ['signature invalid', { secret: 'another-secret-that-is-long-enough-1234' }],
    ['issuer mismatch', { issuer: 'https://evil.test' }],
    ['audience mismatch', { audience: 'someone-else' }],
  ])('refuses with "%s"', async (message, options) => {
    await expect(auth.authenticate(await jwt(options))).rejects.toMatchObject({
      message,
      code: 16,
    });
  });

  it('refuses garbage as a malformed token', async () => {
    await expect(auth.authenticate('not.a.jwt')).rejects.toMatchObject({
      message: 'token malformed',
    });
  });

  it('routes a direct-mode JWE by its header and forwards it untouched', async () => {
    const token = await jwe({ sub: 'dora' });
    expect(await auth.authenticate(token)).toMatchObject({
      userId: 'dora',
      tier: 'enterprise',
      mode: AuthMode.DIRECT,
      credential: token,
    });
    await expect(auth.authenticate(await jwe({}))).rejects.toThrow(/no "sub"/);
  });

  it('refuses a JWE when direct mode is off', async () => {
    const off = createAuthenticator({ ...testAuth, directEnabled: false });
    await expect(off.authenticate(await jwe({ sub: 'x' }))).rejects.toMatchObject({ code: 7 });
  });
});

describe('verified token cache', () => {
  it('serves a verified token again, but never past its expiry', async () => {
    let clock = Date.now();
    const cached = createAuthenticator(testAuth, { now: () => clock });
    const token = await jwt({ sub: 'erin', expiresIn: 30 });
    expect((await cached.authenticate(token)).userId).toBe('erin');
    clock += 29_000;
    expect((await cached.authenticate(token)).userId).toBe('erin');
    clock += 2_000; // past exp: the cache forgets it and jose refuses it
    await expect(cached.authenticate(token)).rejects.toThrow(/expired|session/);
  });
});
