import { randomBytes, randomUUID } from 'node:crypto';
import { metrics as otelMetrics } from '@opentelemetry/api';
import { AuthMode, ErrorCode, WarmgateError, errors } from '@warmgate/proto';
import {
  isValidUserId,
  type AcquireInput,
  type AcquireResult,
  type AcquireSourceName,
  type Binding,
} from './binding.js';
import { sleepOn, systemClock, type Clock } from './clock.js';
import type { PoolCoreConfig, TierConfig } from './core-config.js';
import { BindingSteps } from './binding-steps.js';
import { parseSnapshot, type HistorySnapshot, type HistoryStore } from './history-port.js';
import type { LifecyclePort, RepositoryResolver } from './lifecycle-port.js';
import { createPoolMetrics, type PoolMetrics } from './metrics.js';
import { StateBroadcaster, type PoolStateView, type StateListener } from './pool-state.js';
import { Periodic } from './periodic.js';
import { createProfileSlot, profileState, type ProfileSlot } from './profile-slot.js';
import { recover } from './recovery.js';
import type { Container, Runtime } from './runtime-port.js';
import { UserLocks } from './user-locks.js';
import { capTargets } from './warm-cap.js';

export interface PoolCoreDeps {
  readonly runtime: Runtime;
  readonly lifecycle: LifecyclePort;
  readonly repositoryFor: RepositoryResolver;
  readonly clock?: Clock;
  readonly metrics?: (snapshot: () => PoolStateView) => PoolMetrics;
  readonly log?: (message: string) => void;
  /** Where the predictive sizer's learned history is kept across restarts (none: memory only). */
  readonly history?: HistoryStore;
}

/**
 * The pool manager's brain, free of I/O: warm pools per profile, claim + bind with one
 * binding per user, adaptive sizing, idle reaping and recovery. Containers and sidecars are
 * reached only through the Runtime and LifecyclePort it is given.
 */
export class PoolCore {
  readonly clock: Clock;
  private readonly slots = new Map<string, ProfileSlot>();
  private readonly bindings = new Map<string, Binding>();
  private readonly locks = new UserLocks();
  private readonly broadcaster: StateBroadcaster;
  private readonly metrics: PoolMetrics;
  private readonly log: (message: string) => void;
  private readonly steps: BindingSteps;
  private readonly periodic: Periodic;
  private stopping = false;
  private reaping = false;
  private unsubscribeDeaths: () => void = () => {};

  constructor(
    private readonly config: PoolCoreConfig,
    private readonly deps: PoolCoreDeps,
  ) {
    this.clock = deps.clock ?? systemClock;
    this.log = deps.log ?? (() => {});
    const snapshot = () => this.state();
    this.metrics = (deps.metrics ?? defaultMetrics)(snapshot);
    this.broadcaster = new StateBroadcaster(this.clock, config.watchIntervalMs, snapshot);
    this.periodic = new Periodic(this.clock, this.log);
    for (const profile of config.profiles) {
      const slot = createProfileSlot(profile, {
        config,
        runtime: deps.runtime,
        lifecycle: deps.lifecycle,
        clock: this.clock,
        metrics: this.metrics,
        log: this.log,
        boundCount: (name) => this.boundCount(name),
      });
      this.slots.set(profile.name, slot);
    }
    this.steps = new BindingSteps({
      runtime: deps.runtime,
      lifecycle: deps.lifecycle,
      timeouts: config.timeouts,
      clock: this.clock,
      metrics: this.metrics,
      log: this.log,
      changed: () => this.broadcaster.changed(),
      forgetBinding: (binding) => {
        if (this.bindings.get(binding.userId) === binding) this.bindings.delete(binding.userId);
      },
    });
    for (const [tier, { profile }] of Object.entries(config.tiers)) {
      if (!this.slots.has(profile))
        throw new Error(`tier ${tier} maps to unknown profile ${profile}`);
    }
    if (config.publicProfile !== undefined && !this.slots.has(config.publicProfile)) {
      throw new Error(`the public profile ${config.publicProfile} is not a profile`);
    }
  }

  /** Adopts or destroys what an earlier instance left, then fills the pools and starts timers. */
  async start(): Promise<void> {
    await this.loadHistory();
    // Subscribed before recovery: a container that dies while it is being adopted is heard.
    this.unsubscribeDeaths =
      this.deps.runtime.onDeath?.((id) => this.containerDied(id)) ?? (() => {});
    const recovered = await recover({
      runtime: this.deps.runtime,
      lifecycle: this.deps.lifecycle,
      profiles: new Set(this.slots.keys()),
      statusMs: this.config.timeouts.statusMs,
      drainMs: this.config.timeouts.drainMs,
      now: this.clock.now(),
      log: this.log,
    });
    for (const binding of recovered.bindings) this.bindings.set(binding.userId, binding);
    const initial = capTargets(
      [...this.slots.values()].map((slot) => slot.config.minWarm),
      this.config.maxWarmTotal,
    );
    for (const [index, [name, slot]] of [...this.slots].entries()) {
      slot.pool.adopt(recovered.warm.get(name) ?? []);
      slot.pool.start(initial[index]!);
    }
    if (recovered.destroyed > 0) this.log(`recovery destroyed ${recovered.destroyed} container(s)`);
    this.periodic.every('reap', this.config.reapIntervalMs, () => this.reapIdle());
    this.periodic.every('size', this.config.sizeIntervalMs, () => this.resize());
    if (this.config.healthIntervalMs > 0) {
      this.periodic.every('health', this.config.healthIntervalMs, () => this.probeIdle());
    }
    if (this.deps.history && this.predictiveSlots().length > 0) {
      const every = this.config.historySaveIntervalMs ?? 5 * 60_000;
      this.periodic.every('history', every, () => this.saveHistory());
    }
  }

  async acquire(input: AcquireInput): Promise<AcquireResult> {
    const tier = this.validate(input);
    if (this.stopping) throw errors.unavailable('the pool manager is shutting down');
    const started = this.clock.now();
    const flight = this.locks.singleFlight(input.userId, () =>
      this.acquireExclusive(input, tier, started),
    );
    const result = await flight.result;
    if (!flight.joined) return result;
    const durationMs = this.clock.now() - started;
    this.metrics.claim(result.binding.profile, 'existing', durationMs);
    return { binding: result.binding, source: 'existing', durationMs };
  }

  /** Ends the user's binding now (drain, then destroy). False when there was none to end. */
  release(userId: string, bindingId?: string): Promise<boolean> {
    return this.locks.serialize(userId, async () => {
      const binding = this.bindings.get(userId);
      if (!binding || (bindingId && binding.bindingId !== bindingId)) return false;
      await this.steps.retire(binding, 'released');
      return true;
    });
  }

  /** Gateway activity: keeps the binding from being reaped. False when it no longer exists. */
  touch(userId: string, bindingId: string): boolean {
    const binding = this.bindings.get(userId);
    if (!binding || binding.bindingId !== bindingId || binding.state !== 'bound') return false;
    binding.lastActivity = this.clock.now();
    return true;
  }

  binding(userId: string): Binding | undefined {
    return this.bindings.get(userId);
  }

  watch(listener: StateListener): () => void {
    return this.broadcaster.subscribe(listener);
  }

  state(): PoolStateView {
    const now = this.clock.now();
    const profiles = [...this.slots.values()].map((slot) =>
      profileState(slot, this.bindings.values(), now),
    );
    return { at: now, profiles, bindings: this.bindings.size };
  }

  /** One reaper pass: drains and destroys bindings idle past their tier's timeout. */
  async reapIdle(): Promise<void> {
    if (this.reaping || this.stopping) return;
    this.reaping = true;
    try {
      const due = [...this.bindings.values()].filter((b) => b.state === 'bound');
      await Promise.all(
        due.map(async (binding) => {
          const verdict = await this.steps.idleVerdict(binding, this.idleTimeoutOf(binding));
          if (verdict === 'active') return;
          await this.locks.serialize(binding.userId, async () => {
            if (this.bindings.get(binding.userId) !== binding || binding.state !== 'bound') return;
            await this.steps.retire(binding, verdict);
          });
        }),
      );
    } finally {
      this.reaping = false;
    }
  }

  /**
   * The runtime heard a container die on its own. A warm one is replaced now, not when a claim
   * finds it dead; a bound one is retired (its drain fails, it is destroyed), so the user's
   * next acquire gets a fresh container and the profile's room is freed.
   */
  private containerDied(id: string): void {
    if (this.stopping) return;
    for (const slot of this.slots.values()) {
      if (slot.pool.dropDead(id)) {
        this.log(`warm container ${id} of profile ${slot.config.name} died; replacing it`);
        this.broadcaster.changed();
        return;
      }
    }
    const binding = [...this.bindings.values()].find((b) => b.container.id === id);
    if (!binding) return;
    this.log(`container ${id} of user binding ${binding.bindingId} died; retiring the binding`);
    void this.locks
      .serialize(binding.userId, async () => {
        if (this.bindings.get(binding.userId) !== binding || binding.state !== 'bound') return;
        await this.steps.retire(binding, 'died');
      })
      .catch((error: unknown) => this.log(`retiring ${id}: ${String(error)}`));
  }

  /** One background health pass over every idle warm container. */
  async probeIdle(): Promise<void> {
    await Promise.all([...this.slots.values()].map((slot) => slot.pool.probeIdle()));
  }

  /**
   * One sizing pass: sets each pool's warm target from its sizer, within what the machine
   * can hold (maxWarmTotal over all profiles); trims one surplus.
   */
  async resize(): Promise<void> {
    if (this.stopping) return;
    const now = this.clock.now();
    const slots = [...this.slots.values()];
    for (const slot of slots) slot.decision = slot.sizer.decide(now);
    const targets = capTargets(
      slots.map((slot) => slot.decision.total),
      this.config.maxWarmTotal,
    );
    for (const [index, slot] of slots.entries()) {
      slot.pool.setTarget(targets[index]!);
      await slot.pool.shrinkOne().catch((error: unknown) => this.log(`shrink: ${String(error)}`));
    }
    this.broadcaster.changed();
  }

  /** The learned claim history of every predictive profile, as the history store keeps it. */
  historySnapshot(): HistorySnapshot | undefined {
    const slots = this.predictiveSlots();
    if (slots.length === 0) return undefined;
    return {
      version: 1,
      bucketMs: slots[0]!.predictive!.history.bucketMs,
      savedAt: this.clock.now(),
      profiles: Object.fromEntries(slots.map((s) => [s.config.name, s.predictive!.toRecord()])),
    };
  }

  /** Saves the learned history (a failure is logged: the next save tries again). */
  async saveHistory(): Promise<void> {
    const snapshot = this.historySnapshot();
    if (!this.deps.history || !snapshot) return;
    try {
      await this.deps.history.save(snapshot);
    } catch (error) {
      this.log(`claim history: could not save: ${(error as Error).message}`);
    }
  }

  /** A missing, unreadable or malformed history is a warning: the sizer starts fresh. */
  private async loadHistory(): Promise<void> {
    const slots = this.predictiveSlots();
    if (!this.deps.history || slots.length === 0) return;
    try {
      const raw = await this.deps.history.load();
      if (raw === undefined) return;
      const records = parseSnapshot(raw, slots[0]!.predictive!.history.bucketMs);
      for (const slot of slots) {
        const record = records.get(slot.config.name);
        if (record === undefined) continue;
        try {
          slot.predictive!.history.restore(record);
        } catch (error) {
          this.log(
            `claim history of profile ${slot.config.name} ignored (starting fresh): ${(error as Error).message}`,
          );
        }
      }
    } catch (error) {
      this.log(`claim history ignored (starting fresh): ${(error as Error).message}`);
    }
  }

  private predictiveSlots(): ProfileSlot[] {
    return [...this.slots.values()].filter((slot) => slot.predictive !== undefined);
  }

  /** SIGTERM: refuse new acquires, drain every binding (bounded by `graceMs`), destroy the rest. */
  async shutdown(graceMs: number): Promise<void> {
    this.stopping = true;
    this.periodic.stop();
    this.unsubscribeDeaths();
    const all = [...this.bindings.values()];
    const drains = Promise.allSettled(
      all.map((b) => this.locks.serialize(b.userId, () => this.steps.retire(b, 'shutdown'))),
    );
    const late = await Promise.race([
      drains.then(() => false),
      sleepOn(this.clock, graceMs).then(() => true),
    ]);
    if (late) {
      this.log(`shutdown: drains did not finish within ${graceMs} ms; destroying the rest`);
      await Promise.all([...this.bindings.values()].map((b) => this.steps.destroy(b.container)));
    }
    await Promise.all([...this.slots.values()].map((slot) => slot.pool.drain()));
    this.broadcaster.close();
    await this.saveHistory();
  }

  /** Stops timers and watchers; leaves containers as they are (a restart adopts them). */
  close(): void {
    this.stopping = true;
    this.periodic.stop();
    this.unsubscribeDeaths();
    this.broadcaster.close();
    void this.saveHistory();
  }

  private async acquireExclusive(
    input: AcquireInput,
    tier: TierConfig,
    started: number,
  ): Promise<AcquireResult> {
    const existing = this.bindings.get(input.userId);
    if (existing) {
      // A user bound in one mode is never served in another: a direct-mode credential must not
      // take over (or lock out) a gateway-mode binding, nor the reverse.
      if (existing.mode !== input.mode) {
        throw errors.failedPrecondition(
          `user is bound in ${modeName(existing.mode)} mode; a ${modeName(input.mode)}-mode acquire waits until that binding ends`,
        );
      }
      const stale = input.staleBindingId === existing.bindingId;
      if (!stale || (await this.steps.isAlive(existing))) {
        const durationMs = this.clock.now() - started;
        this.metrics.claim(existing.profile, 'existing', durationMs);
        return { binding: existing, source: 'existing', durationMs };
      }
      await this.steps.retire(existing, 'stale');
    }
    const profile =
      input.mode === AuthMode.PUBLIC ? (this.config.publicProfile ?? tier.profile) : tier.profile;
    const slot = this.slots.get(profile)!;
    slot.sizer.recordClaim(started);
    // A claim can lose a race for a container (ABORTED), or a warm container can die after
    // its last health check (its sidecar is gone: UNAVAILABLE): take another, a bounded
    // number of times. Any other bind failure is the answer.
    for (let attempt = 1; ; attempt++) {
      let retryable = false;
      try {
        const { container, source, lent } = await this.obtain(slot, started);
        try {
          const binding = await this.bindClaimed(slot, container, input, lent);
          this.bindings.set(input.userId, binding);
          this.broadcaster.changed();
          const durationMs = this.clock.now() - started;
          this.metrics.claim(slot.config.name, source, durationMs);
          return { binding, source, durationMs };
        } catch (error) {
          retryable = lent && WarmgateError.from(error).code === ErrorCode.UNAVAILABLE;
          throw error;
        } finally {
          if (lent) slot.pool.handOff(container);
        }
      } catch (error) {
        const normalised = WarmgateError.from(error);
        retryable ||= normalised.code === ErrorCode.ABORTED;
        if (!retryable || attempt >= 3) throw normalised;
      }
    }
  }

  private async obtain(
    slot: ProfileSlot,
    started: number,
  ): Promise<{ container: Container; source: AcquireSourceName; lent: boolean }> {
    const name = slot.config.name;
    const warm = await slot.pool.takeWarm();
    if (warm) {
      if (warm.createdAt < started) return { container: warm, source: 'warm', lent: true };
      this.metrics.coldStart(name, 'warm_unhealthy');
      return { container: warm, source: 'cold', lent: true };
    }
    const total =
      slot.pool.counts().size + this.boundCount(name) + slot.claiming + slot.coldStarting;
    if (total < slot.config.maxTotal) {
      this.metrics.coldStart(name, 'pool_empty');
      slot.coldStarting++;
      this.broadcaster.changed();
      try {
        const container = await this.deps.runtime.create({
          name,
          template: slot.config.template,
          agent: slot.config.agent,
        });
        slot.sizer.recordCreate(this.clock.now() - started);
        return { container, source: 'cold', lent: false };
      } finally {
        slot.coldStarting--;
      }
    }
    // Anonymous acquires never queue for a container being created: at the public cap they
    // are refused at once, so a flood cannot pile up waiters (their clients may retry).
    if (slot.pool.counts().starting > 0 && name !== this.config.publicProfile) {
      this.metrics.coldStart(name, 'profile_at_capacity');
      return { container: await slot.pool.waitForOne(), source: 'cold', lent: true };
    }
    throw new WarmgateError(
      ErrorCode.RESOURCE_EXHAUSTED,
      `profile ${name} is at its maximum of ${slot.config.maxTotal} containers`,
      { retryAfterMs: PROFILE_FULL_RETRY_MS },
    );
  }

  /** `lent`: the container is still on the pool's books (counted there, not in `claiming`). */
  private async bindClaimed(
    slot: ProfileSlot,
    container: Container,
    input: AcquireInput,
    lent: boolean,
  ): Promise<Binding> {
    if (!lent) slot.claiming++;
    try {
      const key = new Uint8Array(randomBytes(32));
      return await this.steps.claimAndBind(container, {
        bindingId: randomUUID(),
        userId: input.userId,
        tier: input.tier,
        mode: input.mode,
        assertionKey: key,
        repository: this.deps.repositoryFor(input.userId, input.mode === AuthMode.PUBLIC),
      });
    } finally {
      if (!lent) slot.claiming--;
    }
  }

  private validate(input: AcquireInput): TierConfig {
    if (!isValidUserId(input.userId)) {
      throw errors.invalidArgument('user_id must be 1-256 characters without control characters');
    }
    const tier = this.config.tiers[input.tier];
    if (!tier) {
      const known = Object.keys(this.config.tiers).join(', ');
      throw errors.invalidArgument(`unknown tier "${input.tier}" (known: ${known})`);
    }
    if (input.mode === AuthMode.UNSPECIFIED) throw errors.invalidArgument('mode is required');
    return tier;
  }

  private idleTimeoutOf(binding: Binding): number {
    if (binding.mode === AuthMode.PUBLIC) return this.config.publicIdleTimeoutMs;
    return this.config.tiers[binding.tier]?.idleTimeoutMs ?? this.config.publicIdleTimeoutMs;
  }

  private boundCount(profile: string): number {
    let count = 0;
    for (const binding of this.bindings.values()) if (binding.profile === profile) count++;
    return count;
  }
}

/** The retry hint of a full profile: about one bind-and-release of another user. */
const PROFILE_FULL_RETRY_MS = 5_000;

function modeName(mode: AuthMode): string {
  return AuthMode[mode]?.toLowerCase() ?? String(mode);
}

function defaultMetrics(snapshot: () => PoolStateView): PoolMetrics {
  return createPoolMetrics(otelMetrics.getMeter('@warmgate/pool-manager'), snapshot);
}
