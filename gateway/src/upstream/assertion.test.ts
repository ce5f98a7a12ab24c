import { jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { createAssertionSigner } from './assertion.js';

const key = new Uint8Array(32).fill(7);

describe('user assertion', () => {
  it('is an HS256 JWT: sub = user, aud = binding, short exp', async () => {
    const token = await createAssertionSigner({
      key,
      userId: 'u1',
      bindingId: 'b1',
      ttlS: 120,
    }).current();
    const { payload, protectedHeader } = await jwtVerify(token, key, {
      audience: 'b1',
      subject: 'u1',
    });
    expect(protectedHeader.alg).toBe('HS256');
    expect(payload.exp! - payload.iat!).toBe(120);
    await expect(jwtVerify(token, new Uint8Array(32), {})).rejects.toThrow();
  });

  it('is re-used until half its lifetime, then renewed', async () => {
    let now = Date.parse('2026-11-24T08:00:00Z');
    const signer = createAssertionSigner({
      key,
      userId: 'u1',
      bindingId: 'b1',
      ttlS: 120,
      now: () => now,
    });
    const first = await signer.current();
    now += 59_000;
    expect(await signer.current()).toBe(first);
    now += 2_000;
    expect(await signer.current()).not.toBe(first);
  });
});
