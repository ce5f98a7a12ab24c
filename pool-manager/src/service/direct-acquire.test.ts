import { CompactEncrypt, exportPKCS8, exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { createDirectVerifier } from '@warmgate/contract';
import { AuthMode, ErrorCode } from '@warmgate/proto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDirectAcquire, type DirectAcquire } from './direct-acquire.js';

let direct: DirectAcquire;
let credential: (
  sub: string,
  claims?: Record<string, unknown>,
  trusted?: boolean,
) => Promise<string>;

beforeAll(async () => {
  const recipient = await generateKeyPair('RSA-OAEP-256', { extractable: true });
  const issuer = await generateKeyPair('ES256', { extractable: true });
  const stranger = await generateKeyPair('ES256');
  direct = createDirectAcquire(
    createDirectVerifier(
      await exportPKCS8(recipient.privateKey),
      await exportSPKI(issuer.publicKey),
    ),
    { tierClaim: 'tier', defaultTier: 'free' },
  );
  credential = async (sub, claims = {}, trusted = true) => {
    const now = Math.floor(Date.now() / 1000);
    const inner = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256' })
      .setSubject(sub)
      .setExpirationTime(now + 300)
      .sign(trusted ? issuer.privateKey : stranger.privateKey);
    // The header claims enterprise: only the verified claims count.
    return new CompactEncrypt(new TextEncoder().encode(inner))
      .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM', sub, tier: 'enterprise' })
      .encrypt(recipient.publicKey);
  };
});

const request = (userId: string, jwe: string) => ({
  userId,
  tier: 'enterprise',
  mode: AuthMode.DIRECT,
  credential: jwe,
});

describe('direct-mode acquire', () => {
  it('takes the tier from the verified claims, not from the request', async () => {
    expect(await direct(request('dave', await credential('dave', { tier: 'pro' })))).toEqual({
      tier: 'pro',
    });
    expect(await direct(request('dave', await credential('dave')))).toEqual({ tier: 'free' });
  });

  it('refuses a missing, forged or borrowed credential before anything is acquired', async () => {
    await expect(direct(request('dave', ''))).rejects.toMatchObject({
      code: ErrorCode.UNAUTHENTICATED,
    });
    await expect(direct(request('dave', 'not.a.jwe.at.all'))).rejects.toMatchObject({
      code: ErrorCode.UNAUTHENTICATED,
    });
    await expect(
      direct(request('dave', await credential('dave', {}, false))),
    ).rejects.toMatchObject({ code: ErrorCode.UNAUTHENTICATED });
    await expect(direct(request('alice', await credential('eve')))).rejects.toMatchObject({
      code: ErrorCode.PERMISSION_DENIED,
    });
  });

  it('leaves gateway and public acquires as they are', async () => {
    const gateway = { userId: 'alice', tier: 'pro', mode: AuthMode.GATEWAY, credential: '' };
    expect(await direct(gateway)).toEqual({ tier: 'pro' });
  });
});
