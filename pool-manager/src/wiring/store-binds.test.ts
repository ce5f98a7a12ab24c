import { create } from '@bufbuild/protobuf';
import { agentv1, AuthMode } from '@warmgate/proto';
import { describe, expect, it } from 'vitest';
import type { BindInit, LifecyclePort } from '../pool/lifecycle-port.js';
import type { Container } from '../pool/runtime-port.js';
import { verifyRepoCredential } from '../store-server/index.js';
import { ephemeralOnly, withStoreRepositories } from './store-binds.js';

const secret = 'k'.repeat(32);

function recording(): LifecyclePort & { binds: BindInit[] } {
  const binds: BindInit[] = [];
  return {
    binds,
    bind: async (_container, request) => {
      binds.push(request);
      return create(agentv1.BindResponseSchema, {});
    },
    drain: async () => create(agentv1.DrainResponseSchema, {}),
    status: async () => create(agentv1.GetStatusResponseSchema, {}),
    forget: () => {},
    close: () => {},
  };
}

describe('withStoreRepositories', () => {
  it("fills in the store URL and a credential for the request's own user and binding", async () => {
    const inner = recording();
    const port = withStoreRepositories(inner, {
      storeUrl: 'http://store:8081/',
      secret,
      credentialTtlMs: 60_000,
    });
    const assertionKey = new Uint8Array(32).fill(7);
    await port.bind(
      { id: 'c1' } as Container,
      {
        bindingId: 'b-123',
        userId: 'alice@example.com',
        tier: 'pro',
        mode: AuthMode.GATEWAY,
        assertionKey,
        repository: ephemeralOnly('alice@example.com', false),
      },
      1000,
    );

    const sent = inner.binds[0]!;
    expect(sent).toMatchObject({ bindingId: 'b-123', userId: 'alice@example.com', tier: 'pro' });
    expect(sent.assertionKey).toBe(assertionKey);
    expect(sent.repository?.url).toMatch(/^http:\/\/store:8081\/b\/b-123\/[a-z0-9_.-]+\.git$/);
    expect(sent.repository?.ephemeral).toBe(false);
    const claims = verifyRepoCredential(secret, sent.repository!.credential!);
    expect(claims).toMatchObject({ userId: 'alice@example.com', bindingId: 'b-123' });
  });

  it("keeps the core's ephemeral flag (public sessions)", async () => {
    const inner = recording();
    const port = withStoreRepositories(inner, { storeUrl: 'http://s', secret, credentialTtlMs: 1 });
    await port.bind(
      { id: 'c1' } as Container,
      {
        bindingId: 'b-1',
        userId: 'anon-1',
        mode: AuthMode.PUBLIC,
        repository: ephemeralOnly('anon-1', true),
      },
      1000,
    );
    expect(inner.binds[0]!.repository?.ephemeral).toBe(true);
  });
});
