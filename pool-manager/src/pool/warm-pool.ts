import { createPool, type Pool } from 'generic-pool';
import { agentv1 } from '@warmgate/proto';
import { sleepOn, type Clock } from './clock.js';
import type { LifecyclePort } from './lifecycle-port.js';
import type { Container, Profile, Runtime } from './runtime-port.js';
import { createStartLimiter, type StartLimiter } from './start-limiter.js';

export interface WarmPoolOptions {
  readonly profile: Profile;
  readonly runtime: Runtime;
  readonly lifecycle: LifecyclePort;
  readonly clock: Clock;
  readonly minWarm: number;
  readonly maxTotal: number;
  readonly statusTimeoutMs: number;
  /**
   * A GetStatus that said "warm" less than this long ago stands in for the health check on
   * borrow; a background probe (probeIdle) keeps idle containers that fresh. 0 = always ask.
   */
  readonly healthFreshMs: number;
  /** How long replacements may wait for the binds in flight to finish (0 = never wait). */
  readonly replenishDeferMs: number;
  /** At most this many containers being created at once (0 = no bound; start-limiter.ts). */
  readonly replenishConcurrency: number;
  /** Bounds a claim that has to wait for a container being created. */
  readonly waitTimeoutMs: number;
  /** Pause after a failed create, so a broken runtime is not hammered in a tight loop. */
  readonly createFailureBackoffMs: number;
  /** Containers of this profile outside the pool (bound, being bound, cold-starting). */
  readonly outside: () => number;
  readonly onCreated: (durationMs: number) => void;
  readonly onEvicted: (reason: 'unhealthy' | 'shrink') => void;
  readonly log: (message: string) => void;
}

/** generic-pool has no public way to change `min` after creation; 3.9.0 is pinned exactly. */
interface PoolInternals {
  _config: { min: number };
  _ensureMinimum(): void;
}

/**
 * The warm containers of one profile, on generic-pool: it keeps `min` (our adaptive target)
 * warm, health-checks a container before handing it out (testOnBorrow + validate) and
 * destroys the unhealthy. A claimed container, once bound, is handed off: removed from the
 * pool without being destroyed, which makes the pool create its replacement.
 */
export class WarmPool {
  private readonly pool: Pool<Container>;
  private readonly internals: PoolInternals;
  private readonly detached = new Set<string>();
  private readonly adoptable: Container[] = [];
  /** When each container in the pool last answered "warm" (clock ms); 0 = unknown. */
  private readonly confirmed = new Map<string, number>();
  private readonly known = new Map<string, Container>();
  private probing = false;
  /** Claims holding a container from this pool (between takeWarm and handOff). */
  private lent = 0;
  private deferredSince: number | undefined;
  private creating = 0;
  private shrinking = false;
  private desired = 0;
  private readonly starts: StartLimiter;

  constructor(private readonly options: WarmPoolOptions) {
    this.starts = createStartLimiter(options.replenishConcurrency);
    this.pool = createPool<Container>(
      {
        create: () => this.create(),
        destroy: (container) => this.destroyUnlessDetached(container),
        validate: (container) => this.validate(container),
      },
      {
        min: 0,
        max: options.maxTotal,
        testOnBorrow: true,
        autostart: false,
        fifo: true,
        acquireTimeoutMillis: options.waitTimeoutMs,
      },
    );
    this.internals = this.pool as unknown as PoolInternals;
    if (typeof this.internals._config?.min !== 'number' || !this.internals._ensureMinimum) {
      throw new Error('generic-pool internals changed: cannot resize the warm pool');
    }
    this.pool.on('factoryCreateError', (error: unknown) =>
      options.log(`create failed for profile ${options.profile.name}: ${String(error)}`),
    );
    this.pool.on('factoryDestroyError', (error: unknown) =>
      options.log(`destroy failed for profile ${options.profile.name}: ${String(error)}`),
    );
  }

  get profile(): string {
    return this.options.profile.name;
  }

  /** Containers an earlier pool manager left warm: the pool hands them out before creating. */
  adopt(containers: readonly Container[]): void {
    this.adoptable.push(...containers);
  }

  start(target: number): void {
    this.setTarget(Math.max(target, this.adoptable.length));
    this.pool.start();
  }

  /** Sets how many containers (warm + starting) the pool keeps; grows now, shrinks lazily. */
  setTarget(target: number): void {
    this.desired = Math.max(0, target);
    this.applyTarget(0);
    this.internals._ensureMinimum();
  }

  /** The target now: what was asked for, within what the profile's maximum leaves room for. */
  get target(): number {
    return this.internals._config.min;
  }

  private applyTarget(extra: number): void {
    const room = this.options.maxTotal - this.options.outside() - extra;
    let min = Math.max(0, Math.min(this.desired, room));
    // While claims are being bound, replacements wait (up to maxDeferMs): starting processes
    // would take the CPU the binds need. The last bind of a burst releases them all.
    const now = this.options.clock.now();
    if (this.lent > 0 && now - (this.deferredSince ?? now) < this.options.replenishDeferMs) {
      this.deferredSince ??= now;
      min = Math.min(min, this.pool.size - 1);
    } else {
      this.deferredSince = undefined;
    }
    this.internals._config.min = min;
  }

  /** warm = available, starting = being created, lent = taken and being bound. */
  counts(): { warm: number; starting: number; lent: number; size: number } {
    return {
      warm: this.pool.available,
      starting: this.creating,
      lent: this.pool.borrowed,
      size: this.pool.size,
    };
  }

  /**
   * A validated warm container, still on loan from the pool; undefined when none is warm now.
   * The caller binds it, then hands it off: the replacement is created only after the bind,
   * so the spawn does not compete with the bind for the CPU.
   */
  async takeWarm(): Promise<Container | undefined> {
    if (this.pool.available === 0) return undefined;
    // With testOnBorrow an unhealthy one is destroyed and the next is tried; if none is left,
    // this waits for a container the pool creates (bounded by waitTimeoutMs).
    return this.lend();
  }

  /** Waits (bounded) for a container the pool is creating; for when the profile is at capacity. */
  waitForOne(): Promise<Container> {
    return this.lend();
  }

  private async lend(): Promise<Container> {
    this.lent++;
    try {
      return await this.pool.acquire();
    } catch (error) {
      this.lent--;
      throw error;
    }
  }

  /**
   * Takes a container from takeWarm/waitForOne off the pool's books without destroying it
   * (it is bound now, or its binder destroyed it); the pool then replaces it.
   */
  handOff(container: Container): void {
    if (!this.pool.isBorrowedResource(container)) return;
    this.lent--;
    this.confirmed.delete(container.id);
    this.detached.add(container.id);
    this.applyTarget(0);
    void this.pool.destroy(container);
  }

  /** Destroys one surplus warm container when there are more than the target. */
  async shrinkOne(): Promise<boolean> {
    if (this.shrinking || this.pool.available <= this.target) return false;
    this.shrinking = true;
    try {
      const container = await this.pool.acquire();
      await this.pool.destroy(container);
      this.options.onEvicted('shrink');
      return true;
    } finally {
      this.shrinking = false;
    }
  }

  /** Stops replenishing and destroys every container still in the pool (shutdown). */
  async drain(): Promise<void> {
    this.desired = 0;
    this.internals._config.min = 0;
    this.starts.close();
    await this.pool.drain();
    await this.pool.clear();
    const leftovers = this.adoptable.splice(0);
    await Promise.all(leftovers.map((c) => this.options.runtime.destroy(c.id)));
  }

  private async create(): Promise<Container> {
    const adopted = this.adoptable.shift();
    if (adopted) return this.track(adopted); // recovery confirmed it just now
    const { runtime, profile, clock } = this.options;
    this.creating++;
    let started = clock.now();
    try {
      // The sizer learns how long a start takes, not how long it waited for its turn.
      const container = await this.starts.run(() => {
        started = clock.now();
        return runtime.create(profile);
      });
      if (!(await this.isWarm(container))) {
        await runtime.destroy(container.id);
        throw new Error(`container ${container.id} did not report warm after start`);
      }
      this.options.onCreated(clock.now() - started);
      return this.track(container);
    } catch (error) {
      await sleepOn(clock, this.options.createFailureBackoffMs);
      throw error;
    } finally {
      this.creating--;
    }
  }

  /**
   * Asks every idle container in the pool whether it is still warm, so the health check on
   * borrow can use the answer instead of a round trip on the claim path. One that does not
   * answer warm is marked unknown: the next borrow checks it for real and evicts it.
   */
  async probeIdle(): Promise<void> {
    if (this.probing || this.options.healthFreshMs === 0) return;
    this.probing = true;
    try {
      const idle = [...this.confirmed.keys()];
      await Promise.all(
        idle.map(async (id) => {
          const container = this.known.get(id);
          if (!container || this.pool.isBorrowedResource(container)) return;
          const warm = await this.isWarm(container);
          if (this.confirmed.has(id)) this.confirmed.set(id, warm ? this.options.clock.now() : 0);
        }),
      );
    } finally {
      this.probing = false;
    }
  }

  private async destroyUnlessDetached(container: Container): Promise<void> {
    this.confirmed.delete(container.id);
    this.known.delete(container.id);
    if (this.detached.delete(container.id)) return;
    this.options.lifecycle.forget(container);
    await this.options.runtime.destroy(container.id);
  }

  private async validate(container: Container): Promise<boolean> {
    const { clock, healthFreshMs } = this.options;
    const last = this.confirmed.get(container.id) ?? 0;
    if (last > 0 && clock.now() - last < healthFreshMs) return true;
    const healthy = await this.isWarm(container);
    if (!healthy) this.options.onEvicted('unhealthy');
    return healthy;
  }

  /** Remembers a container that just answered warm (created, adopted or probed). */
  private track(container: Container): Container {
    this.known.set(container.id, container);
    this.confirmed.set(container.id, this.options.clock.now());
    return container;
  }

  private async isWarm(container: Container): Promise<boolean> {
    try {
      const status = await this.options.lifecycle.status(container, this.options.statusTimeoutMs);
      return status.state === agentv1.AgentState.WARM && status.bindingId === '';
    } catch {
      return false;
    }
  }
}
