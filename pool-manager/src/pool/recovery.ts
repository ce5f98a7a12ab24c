import { type AuthMode, agentv1 } from '@warmgate/proto';
import type { Binding } from './binding.js';
import type { LifecyclePort } from './lifecycle-port.js';
import type { Container, Runtime } from './runtime-port.js';

export interface RecoveryContext {
  readonly runtime: Runtime;
  readonly lifecycle: LifecyclePort;
  readonly profiles: ReadonlySet<string>;
  readonly statusMs: number;
  readonly drainMs: number;
  readonly now: number;
  readonly log: (message: string) => void;
}

export interface Recovered {
  /** Warm containers per profile, verified warm and unbound: the pools adopt them. */
  readonly warm: Map<string, Container[]>;
  /** Bindings whose agent confirms them: the new pool manager serves them as before. */
  readonly bindings: Binding[];
  readonly destroyed: number;
}

/**
 * Finds what an earlier pool manager left behind and decides, per container, to adopt it
 * (the agent confirms what the runtime's record says) or destroy it. Nothing is left as is.
 */
export async function recover(ctx: RecoveryContext): Promise<Recovered> {
  const found = await ctx.runtime.list();
  const warm = new Map<string, Container[]>();
  const candidates: Binding[] = [];
  const doomed: Container[] = [];
  await Promise.all(
    found.map(async (container) => {
      const verdict = await inspect(ctx, container);
      if (verdict === 'warm')
        warm.set(container.profile, [...(warm.get(container.profile) ?? []), container]);
      else if (verdict === 'bound') candidates.push(toBinding(container, ctx.now));
      else doomed.push(container);
    }),
  );
  // Never two bindings for one user: keep the newest, retire the rest.
  const bindings = new Map<string, Binding>();
  for (const binding of candidates.sort((a, b) => b.boundAt - a.boundAt)) {
    if (bindings.has(binding.userId)) doomed.push(binding.container);
    else bindings.set(binding.userId, binding);
  }
  await Promise.all(doomed.map((container) => retire(ctx, container)));
  return { warm, bindings: [...bindings.values()], destroyed: doomed.length };
}

async function inspect(
  ctx: RecoveryContext,
  container: Container,
): Promise<'warm' | 'bound' | 'destroy'> {
  if (!ctx.profiles.has(container.profile) || !container.lifecycleAddress) return 'destroy';
  if (container.phase !== 'warm' && container.phase !== 'claimed') return 'destroy';
  const status = await ctx.lifecycle.status(container, ctx.statusMs).catch(() => undefined);
  if (!status) return 'destroy';
  if (container.phase === 'warm') {
    return status.state === agentv1.AgentState.WARM && status.bindingId === '' ? 'warm' : 'destroy';
  }
  const claim = container.claim;
  const confirmed =
    claim !== undefined &&
    status.state === agentv1.AgentState.BOUND &&
    status.bindingId === claim.bindingId &&
    status.userId === claim.userId;
  return confirmed ? 'bound' : 'destroy';
}

/** Saves what a bound or draining agent holds, then destroys the container. */
async function retire(ctx: RecoveryContext, container: Container): Promise<void> {
  const bindingId = container.claim?.bindingId;
  if (bindingId && container.lifecycleAddress) {
    await ctx.lifecycle.drain(container, bindingId, ctx.drainMs).catch(() => undefined);
  }
  ctx.lifecycle.forget(container);
  await ctx.runtime.destroy(container.id).catch((error: unknown) => {
    ctx.log(`recovery: destroying ${container.id} failed: ${String(error)}`);
  });
}

function toBinding(container: Container, now: number): Binding {
  const claim = container.claim!;
  return {
    bindingId: claim.bindingId,
    userId: claim.userId,
    tier: claim.tier,
    mode: claim.mode as AuthMode,
    profile: container.profile,
    container,
    mcpUrl: container.mcpUrl,
    assertionKey: new Uint8Array(Buffer.from(claim.assertionKey, 'base64')),
    boundAt: claim.claimedAt,
    lastActivity: now,
    state: 'bound',
  };
}
