// Forged gateway-mode tokens: each is what an attacker can make without the signing key.
import { SignJWT } from 'jose';
import { jwt, testAudience, testIssuer } from '../support/tokens.js';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const decode = (part: string) =>
  JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;

/** Named forgeries of a token for `victim`, made from `attacker`'s valid token where needed. */
export async function forgedJwts(
  victim: string,
  attacker: string,
): Promise<Record<string, string>> {
  const now = Math.floor(Date.now() / 1000);
  const claims = { sub: victim, iss: testIssuer, aud: testAudience, iat: now - 5, exp: now + 300 };
  const own = await jwt({ sub: attacker });
  const [header, payload, signature] = own.split('.') as [string, string, string];
  return {
    'wrong key': await jwt({ sub: victim, secret: 'an-attacker-secret-that-is-long-enough!!' }),
    'alg none': `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`,
    'swapped sub': `${header}.${b64({ ...decode(payload), sub: victim })}.${signature}`,
    expired: await jwt({ sub: victim, expiresIn: -120 }),
    'wrong issuer': await jwt({ sub: victim, issuer: 'https://evil.test' }),
    'wrong audience': await jwt({ sub: victim, audience: 'someone-else' }),
    'HS256 keyed with the empty string': await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new Uint8Array(32)),
  };
}
