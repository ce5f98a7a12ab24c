import { SignJWT, jwtVerify } from 'jose';
import { createHmac } from 'node:crypto';
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

  it('are JWTs any verifier accepts, and accept any HS256 JWT with these claims (checked against jose)', async () => {
    const ours = await signAssertion(key, { userId: 'alice', bindingId: 'b-1' });
    const { payload, protectedHeader } = await jwtVerify(ours, key, {
      algorithms: ['HS256'],
      audience: 'b-1',
      requiredClaims: ['sub', 'exp', 'iat'],
    });
    expect(protectedHeader).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(payload.sub).toBe('alice');
    expect(payload.exp! - payload.iat!).toBe(300);
    const theirs = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('alice')
      .setAudience(['b-0', 'b-1'])
      .setIssuedAt()
      .setExpirationTime('2m')
      .sign(key);
    expect(await codeOf(verifyAssertion(theirs, binding))).toBe('ok');
  });

  it('refuse a changed signature or payload, a malformed token, a critical header, a token not yet valid, non-numeric times', async () => {
    const good = await signAssertion(key, { userId: 'alice', bindingId: 'b-1' });
    const [head, body, signature] = good.split('.') as [string, string, string];
    const flipped = `${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BA' : 'AA'}`;
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const signed = (header: unknown, claims: unknown) => {
      const input = `${encode(header)}.${encode(claims)}`;
      return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
    };
    const claims = { sub: 'alice', aud: 'b-1', iat: now, exp: now + 60 };
    const refused = [
      `${head}.${body}.${flipped}`,
      `${head}.${encode({ ...claims, sub: 'alice', exp: now + 120 })}.${signature}`,
      `${head}.${body}`,
      `${head}.${body}.${signature}.x`,
      `${head}.${body}.${signature}!`,
      signed({ alg: 'HS256', crit: ['exp'] }, claims),
      signed({ alg: 'HS512' }, claims),
      signed({ alg: 'HS256' }, { ...claims, nbf: now + 60 }),
      signed({ alg: 'HS256' }, { ...claims, exp: String(now + 60) }),
      signed({ alg: 'HS256' }, { ...claims, iat: undefined }),
      signed({ alg: 'HS256' }, { ...claims, aud: undefined }),
      signed({ alg: 'HS256' }, { ...claims, exp: now }),
      signed({ alg: 'HS256' }, [claims]),
    ];
    for (const token of refused) {
      expect([token, await codeOf(verifyAssertion(token, binding))]).toEqual([
        token,
        ErrorCode.UNAUTHENTICATED,
      ]);
    }
    expect(await codeOf(verifyAssertion(signed({ alg: 'HS256' }, claims), binding))).toBe('ok');
  });
});
