import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { ErrorCode, WarmgateError } from '@warmgate/proto';
import { signAssertion, verifyAssertion } from './assertion.js';

const key = new Uint8Array(32).fill(1);
const binding = { assertionKey: key, bindingId: 'b-1', userId: 'alice' };

async function codeOf(promise: Promise<unknown>) {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    return WarmgateError.from(error).code;
  }
}

describe('assertions', () => {
  it('verify for the binding they were signed for', async () => {
    const token = await signAssertion(key, { userId: 'alice', bindingId: 'b-1' });
    expect(await codeOf(verifyAssertion(token, binding))).toBe('ok');
  });

  it('refuse a missing token, another key, another binding, an expired token', async () => {
    expect(await codeOf(verifyAssertion(undefined, binding))).toBe(ErrorCode.UNAUTHENTICATED);
    const other = await signAssertion(new Uint8Array(32).fill(2), {
      userId: 'alice',
      bindingId: 'b-1',
    });
    expect(await codeOf(verifyAssertion(other, binding))).toBe(ErrorCode.UNAUTHENTICATED);
    const elsewhere = await signAssertion(key, { userId: 'alice', bindingId: 'b-2' });
    expect(await codeOf(verifyAssertion(elsewhere, binding))).toBe(ErrorCode.UNAUTHENTICATED);
    const old = await signAssertion(key, {
      userId: 'alice',
      bindingId: 'b-1',
      now: Date.now() - 301_000,
    });
    expect(await codeOf(verifyAssertion(old, binding))).toBe(ErrorCode.UNAUTHENTICATED);
  });

  it('refuse another user with PERMISSION_DENIED', async () => {
    const token = await signAssertion(key, { userId: 'mallory', bindingId: 'b-1' });
    expect(await codeOf(verifyAssertion(token, binding))).toBe(ErrorCode.PERMISSION_DENIED);
  });

  it('cap the lifetime at five minutes, signing and verifying', async () => {
    const capped = await signAssertion(key, { userId: 'alice', bindingId: 'b-1', ttlS: 3600 });
    const [, payload] = capped.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as {
      iat: number;
      exp: number;
    };
    expect(claims.exp - claims.iat).toBe(300);
    const long = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('alice')
      .setAudience('b-1')
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(key);
    expect(await codeOf(verifyAssertion(long, binding))).toBe(ErrorCode.UNAUTHENTICATED);
  });

  it('refuse other algorithms', async () => {
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(
      JSON.stringify({ sub: 'alice', aud: 'b-1', iat: 1, exp: 2e9 }),
    ).toString('base64url')}.`;
    expect(await codeOf(verifyAssertion(none, binding))).toBe(ErrorCode.UNAUTHENTICATED);
  });
});
