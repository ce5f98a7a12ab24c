import { AuthMode, ErrorCode, WarmgateError, agentv1 } from '@warmgate/proto';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeAgents, FakeRuntime } from '../testing/index.js';
import type { PoolCoreConfig } from './core-config.js';
import { ManualClock } from './manual-clock.js';
import type { ColdStartReason, PoolMetrics, ReapReason } from './metrics.js';
import { PoolCore } from './pool-core.js';

const minute = 60_000;

function config(overrides: Partial<PoolCoreConfig> = {}): PoolCoreConfig {
  return {
    profiles: [{ name: 'standard', minWarm: 2, maxTotal: 6 }],
    tiers: {
      free: { profile: 'standard', idleTimeoutMs: 15 * minute },
      pro: { profile: 'standard', idleTimeoutMs: 60 * minute },
    },
    publicIdleTimeoutMs: 10 * minute,
    adaptive: { enabled: true, margin: 0.5, windowMs: minute, initialCreateMs: 1000 },
    timeouts: { bindMs: 5000, drainMs: 5000, statusMs: 1000, waitMs: 30_000 },
    reapIntervalMs: 10_000,
    healthIntervalMs: 1000,
    replenishDeferMs: 500,
    sizeIntervalMs: 1000,
    createFailureBackoffMs: 1000,
    watchIntervalMs: 250,
    ...overrides,
  };
}

function recordingMetrics() {
  const seen = {
    cold: [] as ColdStartReason[],
    reaped: [] as ReapReason[],
    claims: [] as string[],
  };
  const metrics: PoolMetrics = {
    claim: (_p, source) => seen.claims.push(source),
    coldStart: (_p, reason) => seen.cold.push(reason),
    bind: () => {},
    reaped: (_p, reason) => seen.reaped.push(reason),
  };
  return { seen, metrics };
}

let cores: PoolCore[] = [];
afterEach(() => {
  for (const core of cores) core.close();
  cores = [];
});

async function setup(overrides: Partial<PoolCoreConfig> = {}, existing?: FakeRuntime) {
  const clock = new ManualClock(1_000_000);
  const agents = new FakeAgents(clock);
  const runtime = existing ?? new FakeRuntime(clock, agents, { createMs: 1000 });
  const { seen, metrics } = recordingMetrics();
  const core = new PoolCore(config(overrides), {
    runtime,
    lifecycle: agents,
    clock,
    metrics: () => metrics,
    repositoryFor: (userId, ephemeral) => ({ url: `fake://${userId}`, ephemeral }),
  });
  cores.push(core);
  await core.start();
  await clock.advance(1500); // initial warm containers are created
  return { clock, agents, runtime, core, seen };
}

const acquire = (core: PoolCore, userId: string, tier = 'free') =>
  core.acquire({ userId, tier, mode: AuthMode.GATEWAY });

describe('PoolCore', () => {
  it('serves public acquires from the capped public profile, never a paying one', async () => {
    const { core, clock } = await setup({
      profiles: [
        { name: 'standard', minWarm: 1, maxTotal: 2 },
        { name: 'public', minWarm: 1, maxTotal: 1 },
      ],
      publicProfile: 'public',
    });
    const anonymous = (userId: string) =>
      core.acquire({ userId, tier: 'free', mode: AuthMode.PUBLIC });
    expect((await anonymous('public-1')).binding.profile).toBe('public');
    await expect(anonymous('public-2')).rejects.toMatchObject({
      code: ErrorCode.RESOURCE_EXHAUSTED,
      retryAfterMs: 5_000,
    });
    expect((await acquire(core, 'alice')).binding.profile).toBe('standard');
    expect(await core.release('public-1')).toBe(true);
    const next = anonymous('public-2');
    await clock.advance(1500);
    expect((await next).binding.profile).toBe('public');
  });

  it('refuses an acquire in another mode for a bound user', async () => {
    const { core } = await setup();
    await acquire(core, 'alice');
    await expect(
      core.acquire({ userId: 'alice', tier: 'free', mode: AuthMode.DIRECT }),
    ).rejects.toMatchObject({ code: ErrorCode.FAILED_PRECONDITION });
    await core.acquire({ userId: 'bob', tier: 'free', mode: AuthMode.DIRECT });
    await expect(acquire(core, 'bob')).rejects.toMatchObject({
      code: ErrorCode.FAILED_PRECONDITION,
    });
  });

  it('keeps minWarm warm, claims one warm and replenishes after the claim', async () => {
    const { core, clock, runtime } = await setup();
    expect(core.state().profiles[0]).toMatchObject({ warm: 2, bound: 0 });
    const result = await acquire(core, 'alice');
    expect(result.source).toBe('warm');
    expect(result.binding.assertionKey).toHaveLength(32);
    expect(result.binding.mcpUrl).toContain(result.binding.container.id);
    expect(core.state().profiles[0]).toMatchObject({ warm: 1, starting: 1, bound: 1 });
    await clock.advance(1500);
    expect(core.state().profiles[0]).toMatchObject({ warm: 2, bound: 1 });
    expect(runtime.created).toBe(3);
  });

  it('returns the existing binding to the same user', async () => {
    const { core } = await setup();
    const first = await acquire(core, 'alice');
    const second = await acquire(core, 'alice');
    expect(second.source).toBe('existing');
    expect(second.binding.bindingId).toBe(first.binding.bindingId);
  });

  it('ten concurrent acquires for one user yield exactly one binding', async () => {
    const { core, agents, seen } = await setup();
    const results = await Promise.all(Array.from({ length: 10 }, () => acquire(core, 'bob')));
    expect(new Set(results.map((r) => r.binding.bindingId)).size).toBe(1);
    expect(agents.binds).toBe(1);
    expect(seen.claims.filter((s) => s === 'existing')).toHaveLength(9);
  });

  it('falls back to a cold start when no warm container is left, counting the reason', async () => {
    const { core, clock, seen } = await setup();
    await Promise.all([acquire(core, 'a'), acquire(core, 'b')]);
    const pending = acquire(core, 'c');
    await clock.advance(1000);
    const result = await pending;
    expect(result.source).toBe('cold');
    expect(seen.cold).toEqual(['pool_empty']);
  });

  it('refuses with RESOURCE_EXHAUSTED when the profile is at its maximum', async () => {
    const { core, clock } = await setup({
      profiles: [{ name: 'standard', minWarm: 1, maxTotal: 2 }],
    });
    await acquire(core, 'a');
    await clock.advance(1500);
    await acquire(core, 'b');
    await clock.advance(1500);
    const error = await acquire(core, 'c').catch((e: unknown) => e as WarmgateError);
    expect(error).toBeInstanceOf(WarmgateError);
    expect((error as WarmgateError).code).toBe(ErrorCode.RESOURCE_EXHAUSTED);
  });

  it('at capacity, waits for the container the pool is creating (profile_at_capacity)', async () => {
    const { core, clock, seen } = await setup({
      profiles: [{ name: 'standard', minWarm: 2, maxTotal: 3 }],
    });
    await acquire(core, 'a'); // 1 warm + 1 replacement starting + 1 bound = 3
    await acquire(core, 'b'); // takes the last warm one
    expect(core.state().profiles[0]).toMatchObject({ warm: 0, starting: 1, bound: 2 });
    const waiting = acquire(core, 'c');
    await clock.advance(1500);
    expect((await waiting).source).toBe('cold');
    expect(seen.cold).toEqual(['profile_at_capacity']);
    expect(core.state().profiles[0]).toMatchObject({ warm: 0, starting: 0, bound: 3 });
  });

  it('a failed bind destroys the container, keeps the pool intact and leaves no binding', async () => {
    const { core, agents, runtime, clock, seen } = await setup();
    agents.failBinds = 1;
    const error = await acquire(core, 'carol').catch((e: unknown) => e as WarmgateError);
    expect((error as WarmgateError).code).toBe(ErrorCode.PERMISSION_DENIED);
    expect(core.binding('carol')).toBeUndefined();
    expect(seen.reaped).toContain('bind_failed');
    expect(runtime.countByPhase('claimed')).toBe(0);
    await clock.advance(1500);
    expect(core.state().profiles[0]).toMatchObject({ warm: 2, bound: 0 });
    expect((await acquire(core, 'carol')).source).toBe('warm');
  });

  it('a warm container that died since its last health check is replaced, not returned', async () => {
    const { core, agents, runtime, seen } = await setup();
    const [oldest] = await runtime.list();
    agents.remove(oldest!.id); // its processes are gone; the last probe still said warm
    const result = await acquire(core, 'gina');
    expect(result.source).toBe('warm');
    expect(result.binding.container.id).not.toBe(oldest!.id);
    expect(runtime.containers.has(oldest!.id)).toBe(false);
    expect(seen.reaped).toContain('bind_failed');
  });

  it('a warm container the runtime reports dead is destroyed and replaced at once, without a claim', async () => {
    const { core, runtime, clock, seen } = await setup();
    const [dead] = await runtime.list();
    runtime.kill(dead!.id);
    expect(runtime.containers.has(dead!.id)).toBe(false);
    expect(core.state().profiles[0]).toMatchObject({ warm: 1, starting: 1 });
    expect(seen.reaped).toEqual(['died']);
    await clock.advance(1500); // one create
    expect(core.state().profiles[0]).toMatchObject({ warm: 2, starting: 0, bound: 0 });
    expect(runtime.created).toBe(3);
    expect(seen.claims).toEqual([]);
  });

  it('a bound container the runtime reports dead is retired; the next acquire binds afresh', async () => {
    const { core, runtime, clock, seen } = await setup();
    const first = await acquire(core, 'hal');
    runtime.kill(first.binding.container.id);
    await clock.advance(10);
    expect(core.binding('hal')).toBeUndefined();
    expect(runtime.containers.has(first.binding.container.id)).toBe(false);
    expect(seen.reaped).toContain('died');
    const second = await acquire(core, 'hal');
    expect(second.source).not.toBe('existing');
    expect(second.binding.bindingId).not.toBe(first.binding.bindingId);
  });

  it('background probes stand in for the borrow-time health check, and evict the dead', async () => {
    const { core, agents, runtime, clock } = await setup();
    let statusCalls = 0;
    const status = agents.status.bind(agents);
    agents.status = (container) => {
      statusCalls++;
      return status(container);
    };
    await acquire(core, 'hank');
    expect(statusCalls).toBe(0); // fresh from creation: no round trip on the claim path
    await clock.advance(1500);
    const probed = statusCalls;
    expect(probed).toBeGreaterThan(0);
    const [victim] = (await runtime.list()).filter((c) => c.phase === 'warm');
    agents.remove(victim!.id);
    await clock.advance(1000); // the probe marks it unknown
    await acquire(core, 'ivy'); // so the borrow checks it for real and evicts it
    expect(runtime.containers.has(victim!.id)).toBe(false);
  });

  it('holds replacements back while other binds are in flight (bounded)', async () => {
    const { core, agents, clock } = await setup();
    agents.bindMs = 100;
    const first = acquire(core, 'a');
    await clock.advance(50);
    const second = acquire(core, 'b');
    await clock.advance(50);
    await first;
    expect(core.state().profiles[0]).toMatchObject({ warm: 0, starting: 0 });
    await clock.advance(50);
    await second;
    expect(core.state().profiles[0]).toMatchObject({ warm: 0, starting: 2 });
  });

  it('public mode binds an ephemeral repository', async () => {
    const { core, agents } = await setup();
    let seenEphemeral: boolean | undefined;
    const bind = agents.bind.bind(agents);
    agents.bind = (container, request) => {
      seenEphemeral = request.repository?.ephemeral;
      return bind(container, request);
    };
    await core.acquire({ userId: 'anon-1', tier: 'free', mode: AuthMode.PUBLIC });
    expect(seenEphemeral).toBe(true);
  });

  it("binds from the copy of the repository the runtime's claim made, never for public mode", async () => {
    const { core, agents, runtime } = await setup();
    const claim = runtime.claim.bind(runtime);
    runtime.claim = async (id, record) => ({
      ...(await claim(id, record)),
      repositoryCopy: '/warmgate/repository.git',
    });
    const seen: unknown[] = [];
    const bind = agents.bind.bind(agents);
    agents.bind = (container, request) => {
      seen.push(request.repository);
      return bind(container, request);
    };
    await acquire(core, 'alice');
    await core.acquire({ userId: 'anon-1', tier: 'free', mode: AuthMode.PUBLIC });
    expect(seen).toEqual([
      { url: 'fake://alice', ephemeral: false, copyPath: '/warmgate/repository.git' },
      { url: 'fake://anon-1', ephemeral: true },
    ]);
  });

  it('rejects bad input with INVALID_ARGUMENT naming the field', async () => {
    const { core } = await setup();
    for (const input of [
      { userId: '', tier: 'free', mode: AuthMode.GATEWAY },
      { userId: 'a\nb', tier: 'free', mode: AuthMode.GATEWAY },
      { userId: 'ok', tier: 'gold', mode: AuthMode.GATEWAY },
      { userId: 'ok', tier: 'free', mode: AuthMode.UNSPECIFIED },
    ]) {
      const error = await core.acquire(input).catch((e: unknown) => e as WarmgateError);
      expect((error as WarmgateError).code).toBe(ErrorCode.INVALID_ARGUMENT);
    }
  });
});

describe('lifecycle by tier', () => {
  it('reaps per tier: free after 15 min, pro after 60; data saved and restored', async () => {
    const { core, clock, agents, seen } = await setup();
    await acquire(core, 'free-user', 'free');
    await acquire(core, 'pro-user', 'pro');
    agents.agentOf('free-user')!.data.push('note');
    await clock.advance(16 * minute);
    expect(core.binding('free-user')).toBeUndefined();
    expect(core.binding('pro-user')).toBeDefined();
    expect(seen.reaped).toEqual(['idle']);
    expect(agents.store.get('free-user')).toEqual(['note']);
    await acquire(core, 'free-user', 'free');
    expect(agents.agentOf('free-user')!.data).toEqual(['note']);
    await clock.advance(45 * minute);
    expect(core.binding('pro-user')).toBeUndefined();
  });

  it('a tool call in flight or a touch keeps a binding alive', async () => {
    const { core, clock, agents } = await setup();
    const busy = await acquire(core, 'busy');
    const touched = await acquire(core, 'touched');
    agents.agentOf('busy')!.inFlight = 1;
    for (let i = 0; i < 4; i++) {
      await clock.advance(5 * minute);
      expect(core.touch('touched', touched.binding.bindingId)).toBe(true);
    }
    expect(core.binding('busy')?.bindingId).toBe(busy.binding.bindingId);
    expect(core.binding('touched')).toBeDefined();
    expect(core.touch('touched', 'another-binding')).toBe(false);
  });

  it('public sessions expire after their own timeout', async () => {
    const { core, clock } = await setup();
    await core.acquire({ userId: 'anon', tier: 'pro', mode: AuthMode.PUBLIC });
    await clock.advance(11 * minute);
    expect(core.binding('anon')).toBeUndefined();
  });

  it('keeps an idle binding whose drain failed and retries on the next pass', async () => {
    const { core, clock, agents } = await setup();
    await acquire(core, 'dave');
    agents.agentOf('dave')!.data.push('unsaved');
    agents.failDrains = 1;
    await clock.advance(15 * minute + 10_000);
    expect(core.binding('dave')?.state).toBe('bound');
    await clock.advance(10_000);
    expect(core.binding('dave')).toBeUndefined();
    expect(agents.store.get('dave')).toEqual(['unsaved']);
  });

  it('replaces a stale binding the caller reports dead', async () => {
    const { core, agents } = await setup();
    const first = await acquire(core, 'erin');
    agents.remove(first.binding.container.id);
    const second = await core.acquire({
      userId: 'erin',
      tier: 'free',
      mode: AuthMode.GATEWAY,
      staleBindingId: first.binding.bindingId,
    });
    expect(second.binding.bindingId).not.toBe(first.binding.bindingId);
    expect(second.source).toBe('warm');
  });

  it('release drains and destroys; shutdown drains every binding', async () => {
    const { core, agents, runtime, clock } = await setup();
    const a = await acquire(core, 'a');
    await acquire(core, 'b');
    agents.agentOf('b')!.data.push('kept');
    expect(await core.release('a', a.binding.bindingId)).toBe(true);
    expect(await core.release('a')).toBe(false);
    const done = core.shutdown(5000);
    await clock.advance(2000);
    await done;
    expect(agents.store.get('b')).toEqual(['kept']);
    expect(runtime.containers.size).toBe(0);
  });
});

describe('adaptive sizing and recovery', () => {
  it('raises the warm target with the claim rate and lowers it when claims stop', async () => {
    const { core, clock } = await setup({
      profiles: [{ name: 'standard', minWarm: 1, maxTotal: 200 }],
    });
    // Two claims a second for a minute, each replenish taking a second: ~3 warm wanted.
    for (let i = 0; i < 120; i++) {
      void acquire(core, `u${i}`);
      await clock.advance(500);
    }
    const busy = core.state().profiles[0]!;
    expect(busy.targetWarm).toBeGreaterThanOrEqual(2);
    expect(busy.claimRatePerMinute).toBeGreaterThan(60);
    await clock.advance(10 * minute);
    expect(core.state().profiles[0]).toMatchObject({ targetWarm: 1 });
  });

  it('a fixed pool keeps its size whatever the claim rate', async () => {
    const { core, clock } = await setup({
      profiles: [{ name: 'standard', minWarm: 2, maxTotal: 40 }],
      adaptive: { enabled: false, margin: 0.5, windowMs: minute, initialCreateMs: 1000 },
    });
    for (let i = 0; i < 10; i++) {
      void acquire(core, `u${i}`);
      await clock.advance(500);
    }
    expect(core.state().profiles[0]!.targetWarm).toBe(2);
  });

  it('a restarted core adopts warm and bound containers and destroys the rest', async () => {
    const first = await setup();
    const bound = await acquire(first.core, 'frank');
    first.core.close();
    const runtime = first.runtime;
    // A leftover nobody can confirm: claimed, but its agent never got bound.
    const orphan = await runtime.list().then((all) => all.find((c) => c.phase === 'warm')!);
    await runtime.claim(orphan.id, {
      ...bound.binding.container.claim!,
      userId: 'ghost',
      bindingId: 'x',
    });
    const restarted = new PoolCore(config(), {
      runtime,
      lifecycle: first.agents,
      clock: first.clock,
      metrics: () => recordingMetrics().metrics,
      repositoryFor: (userId) => ({ url: userId }),
    });
    cores.push(restarted);
    await restarted.start();
    expect(runtime.containers.has(orphan.id)).toBe(false);
    expect(restarted.binding('ghost')).toBeUndefined();
    const again = await acquire(restarted, 'frank');
    expect(again.source).toBe('existing');
    expect(again.binding.bindingId).toBe(bound.binding.bindingId);
    expect(Buffer.from(again.binding.assertionKey)).toEqual(
      Buffer.from(bound.binding.assertionKey),
    );
    expect(first.agents.agentOf('frank')?.state).toBe(agentv1.AgentState.BOUND);
  });
});
