// A JWKS that cannot be reached is the gateway's problem, not the token's: UNAVAILABLE
// (retryable), never UNAUTHENTICATED ("do not retry"). A reachable JWKS without the token's
// key is still UNAUTHENTICATED. Real HTTP servers on ephemeral loopback ports.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { createAuthenticator } from '../../src/auth/authenticator.js';
import { testAuth } from '../support/tokens.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function serve(status: number, body: string): Promise<string> {
  const server = createServer((_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(body);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
}

async function token() {
  const { privateKey } = await generateKeyPair('ES256');
  return new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
    .setSubject('alice')
    .setIssuer(testAuth.issuer!)
    .setAudience(testAuth.audience!)
    .setExpirationTime('5m')
    .sign(privateKey);
}

function authenticatorFor(jwksUrl: string) {
  const { hs256Secret: _secret, ...auth } = testAuth;
  return createAuthenticator({ ...auth, jwksUrl });
}

describe('JWKS outage', () => {
  it('answers UNAVAILABLE when the JWKS host refuses connections', async () => {
    const url = await serve(200, '{}');
    await new Promise((r) => servers.pop()!.close(r)); // the port is now closed
    await expect(authenticatorFor(url).authenticate(await token())).rejects.toMatchObject({
      code: 14,
      message: expect.stringMatching(/JWKS could not be fetched/),
    });
  });

  it('answers UNAVAILABLE when the JWKS answers 503 or is not a JWKS', async () => {
    for (const url of [await serve(503, 'down'), await serve(200, '{"not":"a jwks"}')]) {
      await expect(authenticatorFor(url).authenticate(await token())).rejects.toMatchObject({
        code: 14,
      });
    }
  });

  it('still answers UNAUTHENTICATED when the JWKS is there but has no matching key', async () => {
    const { publicKey } = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'other', alg: 'ES256' };
    const url = await serve(200, JSON.stringify({ keys: [jwk] }));
    await expect(authenticatorFor(url).authenticate(await token())).rejects.toMatchObject({
      code: 16,
    });
  });
});
