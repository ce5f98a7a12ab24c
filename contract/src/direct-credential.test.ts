import { CompactEncrypt, SignJWT, exportJWK, exportPKCS8, exportSPKI, generateKeyPair } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, WarmgateError } from '@warmgate/proto';
import { createDirectVerifier } from './direct-credential.js';

type Keys = Awaited<ReturnType<typeof generateKeyPair>>;
let agent: Keys;
let issuer: Keys;

async function credential(sub: string, signer = issuer.privateKey, to = agent.publicKey) {
  const inner = await new SignJWT({})
    .setProtectedHeader({ alg: 'ES256' })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(signer);
  return new CompactEncrypt(new TextEncoder().encode(inner))
    .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM', sub })
    .encrypt(to);
}

async function codeOf(promise: Promise<unknown>) {
  try {
    return await promise;
  } catch (error) {
    return WarmgateError.from(error).code;
  }
}

beforeAll(async () => {
  agent = await generateKeyPair('RSA-OAEP-256', { extractable: true });
  issuer = await generateKeyPair('ES256', { extractable: true });
});

describe('direct-mode credentials', () => {
  it('yield the subject of a valid credential (PEM keys)', async () => {
    const verifier = createDirectVerifier(
      await exportPKCS8(agent.privateKey),
      await exportSPKI(issuer.publicKey),
    );
    expect(await verifier.verify(await credential('dana'))).toBe('dana');
  });

  it('accept JWK and JWKS forms', async () => {
    const verifier = createDirectVerifier(
      JSON.stringify(await exportJWK(agent.privateKey)),
      JSON.stringify({ keys: [await exportJWK(issuer.publicKey)] }),
    );
    expect(await verifier.verify(await credential('dana'))).toBe('dana');
  });

  it('refuse forged, misaddressed, bare and missing credentials', async () => {
    const verifier = createDirectVerifier(
      await exportPKCS8(agent.privateKey),
      await exportSPKI(issuer.publicKey),
    );
    const stranger = await generateKeyPair('ES256');
    expect(await codeOf(verifier.verify(await credential('dana', stranger.privateKey)))).toBe(
      ErrorCode.UNAUTHENTICATED,
    );
    const elsewhere = await generateKeyPair('RSA-OAEP-256');
    expect(
      await codeOf(
        verifier.verify(await credential('dana', issuer.privateKey, elsewhere.publicKey)),
      ),
    ).toBe(ErrorCode.UNAUTHENTICATED);
    expect(await codeOf(verifier.verify('a.b.c'))).toBe(ErrorCode.UNAUTHENTICATED);
    expect(await codeOf(verifier.verify(undefined))).toBe(ErrorCode.UNAUTHENTICATED);
    expect(await codeOf(verifier.verify('x'.repeat(20_000)))).toBe(ErrorCode.UNAUTHENTICATED);
  });

  it('refuse everything when direct mode is not configured', async () => {
    const verifier = createDirectVerifier(undefined, undefined);
    expect(await codeOf(verifier.verify(await credential('dana')))).toBe(ErrorCode.UNAUTHENTICATED);
  });

  it('name the setting when a key is unusable', () => {
    expect(() => createDirectVerifier('not a key', '{}')).toThrow(/WARMGATE_AGENT_JWE_PRIVATE_KEY/);
  });
});
