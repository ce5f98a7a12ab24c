// Claim and bind against real agent processes: warm claim, existing binding, cold fallback,
// one binding per user under concurrency, and a failed bind that leaves nothing behind.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuthMode, WarmgateError, agentv1, poolv1 } from '@warmgate/proto';
import { Client as GrpcClient, credentials } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import {
  containerDirs,
  useTestPool,
  seedRepository,
  sidecarClient,
  waitFor,
  warmCount,
} from './support.js';

const pm = useTestPool(
  {
    WARMGATE_POOL_PROFILES: 'standard:min=2:max=10,spare:min=0:max=3',
    WARMGATE_POOL_TIERS: 'free=standard:15m,pro=standard:60m,trial=spare:15m',
    WARMGATE_POOL_ADAPTIVE: 'false',
  },
  { noContainerDirs: true },
);

async function sidecarStatus(containerId: string) {
  const sidecar = sidecarClient(pm.sandbox.stateDir, containerId);
  try {
    return await sidecar.getStatus({});
  } finally {
    sidecar.close();
  }
}

describe('claim and bind (local runtime, real agents)', () => {
  it('binds a warm container to the user, then returns that binding again', async () => {
    seedRepository(pm.sandbox.storeDir, 'alice', { 'notes/hello.md': 'hello from the store\n' });
    const first = await pm.client.acquire({ userId: 'alice', tier: 'pro', mode: AuthMode.GATEWAY });
    expect(first.source).toBe(poolv1.AcquireSource.WARM);
    const binding = first.binding!;
    expect(binding.userId).toBe('alice');
    expect(binding.mcpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    expect(binding.assertionKey).toHaveLength(32);
    const status = await sidecarStatus(binding.containerId);
    expect(status.state).toBe(agentv1.AgentState.BOUND);
    expect(status.userId).toBe('alice');
    expect(status.bindingId).toBe(binding.bindingId);
    const health = await fetch(binding.mcpUrl.replace(/\/mcp$/, '/healthz'));
    expect(health.ok).toBe(true);

    const again = await pm.client.acquire({ userId: 'alice', tier: 'pro', mode: AuthMode.GATEWAY });
    expect(again.source).toBe(poolv1.AcquireSource.EXISTING);
    expect(again.binding!.bindingId).toBe(binding.bindingId);
  });

  it('falls back to a cold start when the profile has no warm container', async () => {
    const result = await pm.client.acquire({
      userId: 'carol',
      tier: 'trial',
      mode: AuthMode.GATEWAY,
    });
    expect(result.source).toBe(poolv1.AcquireSource.COLD);
    expect((await sidecarStatus(result.binding!.containerId)).userId).toBe('carol');
  });

  it('ten concurrent acquires for one user yield exactly one binding', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        pm.client.acquire({ userId: 'bob', tier: 'free', mode: AuthMode.GATEWAY }),
      ),
    );
    expect(new Set(results.map((r) => r.binding!.bindingId)).size).toBe(1);
    const claimedForBob = containerDirs(pm.sandbox.stateDir).filter((id) => {
      const claim = join(pm.sandbox.stateDir, id, 'claim.json');
      return existsSync(claim) && readFileSync(claim, 'utf8').includes('"userId":"bob"');
    });
    expect(claimedForBob).toHaveLength(1);
  });

  it('streams pool state to watchers and answers the standard health check', async () => {
    const controller = new AbortController();
    const updates: poolv1.PoolState[] = [];
    const watching = (async () => {
      for await (const message of pm.client.watchState({}, { signal: controller.signal })) {
        updates.push(message.state!);
        if (updates.length === 1) {
          await pm.client.acquire({ userId: 'watch-me', tier: 'free', mode: AuthMode.GATEWAY });
        }
        if (updates.some((u) => u.bindings >= 4)) break;
      }
    })();
    await watching;
    controller.abort();
    expect(updates[0]!.leader).toBe(true);
    expect(updates.at(-1)!.profiles.map((p) => p.profile)).toEqual(['standard', 'spare', 'public']);

    const health = new GrpcClient(pm.pool.address, credentials.createInsecure());
    try {
      const bytes = await new Promise<Buffer>((resolve, reject) =>
        health.makeUnaryRequest(
          '/grpc.health.v1.Health/Check',
          (request: Buffer) => request,
          (response: Buffer) => response,
          Buffer.alloc(0),
          (error, value) => (error ? reject(error) : resolve(value!)),
        ),
      );
      expect([...bytes]).toEqual([0x08, 0x01]); // status: SERVING
    } finally {
      health.close();
    }
  });

  it('a failed bind destroys the container and leaves the pool intact', async () => {
    await waitFor('a full pool', async () => (await warmCount(pm.client)) >= 2, 40_000);
    const before = new Set(containerDirs(pm.sandbox.stateDir));
    // The store cannot serve this user: where the repository should be is a plain file.
    writeFileSync(join(pm.sandbox.storeDir, 'mallory.git'), 'not a repository');
    const error = await pm.client
      .acquire({ userId: 'mallory', tier: 'free', mode: AuthMode.GATEWAY })
      .catch((e: unknown) => e as WarmgateError);
    expect(error).toBeInstanceOf(WarmgateError);
    const status = await pm.client.getStatus({ userId: 'mallory' });
    expect(status.binding).toBeUndefined();
    // The container it had claimed is gone, not back in the pool.
    await waitFor('the failed container to be destroyed', () =>
      [...before].some((id) => !containerDirs(pm.sandbox.stateDir).includes(id)),
    );
    const claimed = containerDirs(pm.sandbox.stateDir).filter((id) =>
      existsSync(join(pm.sandbox.stateDir, id, 'claim.json')),
    );
    expect(claimed).toHaveLength(4); // alice, carol, bob, watch-me
    await waitFor('the pool to refill', async () => (await warmCount(pm.client)) >= 2, 40_000);
    const next = await pm.client.acquire({ userId: 'dan', tier: 'free', mode: AuthMode.GATEWAY });
    expect(next.source).toBe(poolv1.AcquireSource.WARM);
  });
});
