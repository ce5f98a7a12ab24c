import { timestampMs } from '@bufbuild/protobuf/wkt';
import { ErrorCode, WarmgateError, agentv1 } from '@warmgate/proto';
import type { Binding } from './binding.js';
import type { Clock } from './clock.js';
import type { PoolCoreConfig } from './core-config.js';
import type { BindInit, LifecyclePort } from './lifecycle-port.js';
import type { PoolMetrics, ReapReason } from './metrics.js';
import type { Container, Runtime } from './runtime-port.js';
import { poolSpan } from './tracing.js';

export interface BindingStepsDeps {
  readonly runtime: Runtime;
  readonly lifecycle: LifecyclePort;
  readonly timeouts: PoolCoreConfig['timeouts'];
  readonly clock: Clock;
  readonly metrics: PoolMetrics;
  readonly log: (message: string) => void;
  readonly changed: () => void;
  readonly forgetBinding: (binding: Binding) => void;
}

type BindRequest = Required<Pick<BindInit, 'bindingId' | 'userId' | 'tier' | 'mode'>> & {
  assertionKey: Uint8Array;
  repository: NonNullable<BindInit['repository']>;
};

/** The steps of one binding (not the Lifecycle service it calls): claim + bind, liveness, idleness, drain + destroy. */
export class BindingSteps {
  constructor(private readonly deps: BindingStepsDeps) {}

  /**
   * Records the claim durably, then binds through the sidecar. A container that fails after
   * it was claimed is destroyed, never returned to a pool. A lost claim race (ABORTED) leaves
   * the container to whoever won it.
   */
  async claimAndBind(container: Container, request: BindRequest): Promise<Binding> {
    const { runtime, lifecycle, clock, metrics, timeouts } = this.deps;
    const claimedAt = clock.now();
    let claimed: Container;
    try {
      claimed = await poolSpan('pool claim', { 'warmgate.profile': container.profile }, () =>
        runtime.claim(container.id, {
          userId: request.userId,
          bindingId: request.bindingId,
          tier: request.tier,
          mode: request.mode,
          claimedAt,
          assertionKey: Buffer.from(request.assertionKey).toString('base64'),
        }),
      );
    } catch (error) {
      const normalised = WarmgateError.from(error);
      if (normalised.code !== ErrorCode.ABORTED) await this.destroy(container, 'bind_failed');
      throw normalised;
    }
    const bindStarted = clock.now();
    try {
      await poolSpan('pool bind', { 'warmgate.profile': claimed.profile }, () =>
        lifecycle.bind(claimed, withCopy(request, claimed.repositoryCopy), timeouts.bindMs),
      );
      metrics.bind(claimed.profile, 'ok', clock.now() - bindStarted);
    } catch (error) {
      metrics.bind(claimed.profile, 'error', clock.now() - bindStarted);
      await this.destroy(claimed, 'bind_failed');
      throw WarmgateError.from(error);
    }
    return {
      bindingId: request.bindingId,
      userId: request.userId,
      tier: request.tier,
      mode: request.mode,
      profile: claimed.profile,
      container: claimed,
      mcpUrl: claimed.mcpUrl,
      assertionKey: request.assertionKey,
      boundAt: claimedAt,
      lastActivity: clock.now(),
      state: 'bound',
    };
  }

  /** True when the agent still serves this binding. */
  async isAlive(binding: Binding): Promise<boolean> {
    const status = await this.status(binding.container);
    return (
      status !== undefined &&
      status.state === agentv1.AgentState.BOUND &&
      status.bindingId === binding.bindingId
    );
  }

  /**
   * Whether a binding should go: 'active' while the gateway or the agent saw activity within
   * `timeoutMs` (a tool call in flight counts as activity), 'idle' past it, 'unhealthy' when
   * the agent no longer answers for it.
   */
  async idleVerdict(binding: Binding, timeoutMs: number): Promise<'active' | ReapReason> {
    const now = this.deps.clock.now();
    if (now - binding.lastActivity < timeoutMs) return 'active';
    const status = await this.status(binding.container);
    if (!status || status.bindingId !== binding.bindingId) return 'unhealthy';
    if (status.inFlight > 0) {
      binding.lastActivity = now;
      return 'active';
    }
    if (status.lastActivity) {
      binding.lastActivity = Math.max(binding.lastActivity, timestampMs(status.lastActivity));
    }
    return now - binding.lastActivity < timeoutMs ? 'active' : 'idle';
  }

  /**
   * Drain (final save) then destroy. If an idle drain fails while the agent is alive, the
   * binding stays and the next reaper pass tries again: unsaved work is not thrown away for
   * idleness. Every other reason destroys regardless.
   */
  async retire(binding: Binding, reason: ReapReason): Promise<void> {
    const { runtime, lifecycle, timeouts, log, changed } = this.deps;
    binding.state = 'draining';
    changed();
    const drained = await runtime
      .markDraining(binding.container.id)
      .then(() => lifecycle.drain(binding.container, binding.bindingId, timeouts.drainMs))
      .then(
        () => true,
        (error: unknown) => {
          log(`drain of ${binding.container.id} (${reason}) failed: ${String(error)}`);
          return false;
        },
      );
    if (!drained && reason === 'idle' && (await this.isAlive(binding))) {
      binding.state = 'bound';
      changed();
      return;
    }
    await this.destroy(binding.container, reason);
    this.deps.forgetBinding(binding);
    changed();
  }

  /** Destroys a container, counting it; a failed destroy is logged, not thrown. */
  async destroy(container: Container, reason?: ReapReason): Promise<void> {
    this.deps.lifecycle.forget(container);
    try {
      await this.deps.runtime.destroy(container.id);
    } catch (error) {
      this.deps.log(`destroy of ${container.id} failed: ${String(error)}`);
    }
    if (reason) this.deps.metrics.reaped(container.profile, reason);
  }

  private status(container: Container) {
    return this.deps.lifecycle
      .status(container, this.deps.timeouts.statusMs)
      .catch(() => undefined);
  }
}

/** The bind restores from the copy the claim made, when it made one (never for public mode). */
function withCopy(request: BindRequest, copyPath: string | undefined): BindRequest {
  if (copyPath === undefined || request.repository.ephemeral) return request;
  return { ...request, repository: { ...request.repository, copyPath } };
}
