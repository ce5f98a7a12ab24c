// Direct mode (enterprise) for tests: the agent's JWE key pair (the gateway never holds the
// private half) and an issuer key pair the agent trusts for the inner JWT.
import { CompactEncrypt, exportPKCS8, exportSPKI, generateKeyPair, SignJWT } from 'jose';
import type { CryptoKey } from 'jose';

export interface DirectKeys {
  /** Environment for the pool manager (inherited by every agent it starts). */
  readonly agentEnv: Record<string, string>;
  /** A direct-mode credential for `sub`, or a forged one (see options). */
  credential(sub: string, options?: CredentialOptions): Promise<string>;
}

export interface CredentialOptions {
  /** The routing hint in the JWE header (default: sub). */
  readonly headerSub?: string;
  /** Sign the inner JWT with an untrusted key. */
  readonly untrustedIssuer?: boolean;
  /** Encrypt to a key that is not the agent's. */
  readonly wrongRecipient?: boolean;
  readonly expiresIn?: number;
}

export async function makeDirectKeys(): Promise<DirectKeys> {
  const agent = await generateKeyPair('RSA-OAEP-256', { extractable: true });
  const issuer = await generateKeyPair('ES256', { extractable: true });
  const stranger = await generateKeyPair('ES256');
  const otherRecipient = await generateKeyPair('RSA-OAEP-256');
  const sign = (sub: string, key: CryptoKey, expiresIn: number) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({})
      .setProtectedHeader({ alg: 'ES256' })
      .setSubject(sub)
      .setIssuedAt(now - 5)
      .setExpirationTime(now + expiresIn)
      .sign(key);
  };
  return {
    agentEnv: {
      WARMGATE_AGENT_JWE_PRIVATE_KEY: await exportPKCS8(agent.privateKey),
      WARMGATE_DIRECT_ISSUER_KEYS: await exportSPKI(issuer.publicKey),
    },
    async credential(sub, options = {}) {
      const inner = await sign(
        sub,
        options.untrustedIssuer ? stranger.privateKey : issuer.privateKey,
        options.expiresIn ?? 300,
      );
      return new CompactEncrypt(new TextEncoder().encode(inner))
        .setProtectedHeader({
          alg: 'RSA-OAEP-256',
          enc: 'A256GCM',
          sub: options.headerSub ?? sub,
          tier: 'enterprise',
        })
        .encrypt(options.wrongRecipient ? otherRecipient.publicKey : agent.publicKey);
    },
  };
}
