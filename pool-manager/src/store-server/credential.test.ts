import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@warmgate/proto';
import { mintRepoCredential, verifyRepoCredential } from './credential.js';
import { createStoreRepositories } from './bind-repository.js';
import { parseRepoPath, repoUrl } from './repo-url.js';

const secret = 'a-store-secret-of-at-least-32-characters!';
const now = 1_700_000_000_000;

describe('repo credential', () => {
  const token = mintRepoCredential({
    secret,
    userId: 'alice',
    bindingId: 'b1',
    ttlMs: 60_000,
    now,
  });

  it('verifies for its user and binding until it expires', () => {
    expect(verifyRepoCredential(secret, token, now + 59_999)).toEqual({
      userId: 'alice',
      bindingId: 'b1',
      expiresAt: now + 60_000,
    });
    expect(() => verifyRepoCredential(secret, token, now + 60_000)).toThrow(/expired/);
  });

  it('refuses another secret, a changed payload and garbage as UNAUTHENTICATED', () => {
    const [prefix, payload, signature] = token.split('.');
    const forged = Buffer.from(
      JSON.stringify({ sub: 'bob', bid: 'b1', exp: now + 60_000 }),
    ).toString('base64url');
    for (const bad of [
      `${prefix}.${forged}.${signature}`,
      'wgr1.x.y',
      'nope',
      `${prefix}.${payload}`,
    ]) {
      expect(() => verifyRepoCredential(secret, bad, now)).toThrow(
        expect.objectContaining({ code: ErrorCode.UNAUTHENTICATED }),
      );
    }
    expect(() => verifyRepoCredential(`${secret}x`, token, now)).toThrow(/signature/);
  });
});

describe('repo url', () => {
  it('puts the binding and the user’s store name in the path, and parses it back', () => {
    const url = repoUrl('http://store:8081/', 'Alice@Example.com', 'bind-1');
    expect(url).toMatch(/^http:\/\/store:8081\/b\/bind-1\/_[0-9a-f]{48}\.git$/);
    expect(parseRepoPath(`${new URL(url).pathname}/info/refs`)).toMatchObject({
      bindingId: 'bind-1',
      rest: '/info/refs',
    });
  });

  it('parses nothing that escapes the store', () => {
    for (const path of [
      '/b/x/../alice.git/info/refs',
      '/b/x/alice.git',
      '/alice.git/info/refs',
      '/b/x/a/b.git/info/refs',
      '/b/x/.git/info/refs',
    ]) {
      expect(parseRepoPath(path)).toBeUndefined();
    }
  });
});

describe('store repositories for binds', () => {
  it('gives each bind its URL and a credential for exactly that user and binding', () => {
    const repositories = createStoreRepositories({
      storeUrl: 'http://store:8081',
      secret,
      credentialTtlMs: 1000,
    });
    const repository = repositories('alice', 'b-7', now);
    expect(repository.url).toBe('http://store:8081/b/b-7/alice.git');
    expect(verifyRepoCredential(secret, repository.credential, now)).toEqual({
      userId: 'alice',
      bindingId: 'b-7',
      expiresAt: now + 1000,
    });
  });
});
