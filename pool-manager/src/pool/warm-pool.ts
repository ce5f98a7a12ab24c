import { agentv1, errors } from '@warmgate/proto';
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
  readonly onEvicted: (reason: 'unhealthy' | 'shrink' | 'died') => void;
  readonly log: (message: string) => void;
}

/** A claim waiting for a container (takeWarm found only unhealthy ones, or waitForOne). */
interface Waiter {
  readonly resolve: (container: Container) => void;
  readonly reject: (error: unknown) => void;
  readonly timer: NodeJS.Timeout | undefined;
}

/**
 * The warm containers of one profile, as a level-triggered reconciler (the shape of
 * Kubernetes' agent-sandbox warm pool): every trigger — the pool core's periodic setTarget, a
 * hand-off, an eviction — compares the desired count (the adaptive target, within the
 * profile's room) with the observed one (warm + being health-checked + lent) plus the
 * expectations (creations in flight, which will show up), and starts the difference. Nothing
 * is remembered as "events to replay": a missed trigger is made up by the next one.
 *
 * A container is health-checked before it is handed out (fresh answer or GetStatus) and the
 * unhealthy are destroyed. A claimed container, once bound, is handed off: taken off the books
 * without being destroyed, which makes the next reconcile create its replacement.
 */
export class WarmPool {
  /** Observed: warm and idle, oldest first (handed out in that order). */
  private readonly idle: Container[] = [];
  /** Observed: taken off `idle` for the health check before a hand-out. */
  private validating = 0;
  /** Observed: lent to a claim (takeWarm/waitForOne) or to shrinkOne, until handed off. */
  private readonly loans = new Set<Container>();
  /** Expectations: creations in flight (adopted ones included), counted as if done. */
  private readonly creations = new Set<Promise<unknown>>();
  private readonly waiters: Waiter[] = [];
  /** The promises of `waiters`, for drain to wait on. */
  private readonly pending = new Set<Promise<unknown>>();
  private draining = false;
  private loansReturned: (() => void)[] = [];
  private readonly detached = new Set<string>();
  private readonly adoptable: Container[] = [];
  /** When each container in the pool last answered "warm" (clock ms); 0 = unknown. */
  private readonly confirmed = new Map<string, number>();
  private readonly known = new Map<string, Container>();
  private probing = false;
  /** Claims holding a container from this pool (between takeWarm and handOff). */
  private lent = 0;
  private deferredSince: number | undefined;
  /** Real starts in flight (adoptions excluded): the "starting" count. */
  private creating = 0;
  private shrinking = false;
  /** What the pool core asked for. */
  private desired = 0;
  /** Desired, within the profile's room and the bind deferral: what reconcile aims at. */
  private min = 0;
  private readonly starts: StartLimiter;

  constructor(private readonly options: WarmPoolOptions) {
    this.starts = createStartLimiter(options.replenishConcurrency);
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
  }

  /** Sets how many containers (warm + starting) the pool keeps; grows now, shrinks lazily. */
  setTarget(target: number): void {
    this.desired = Math.max(0, target);
    this.applyTarget(0);
    this.reconcile();
  }

  /** The target now: what was asked for, within what the profile's maximum leaves room for. */
  get target(): number {
    return this.min;
  }

  /** Observed + expected: every container on this pool's books. */
  private get size(): number {
    return this.idle.length + this.validating + this.loans.size + this.creations.size;
  }

  /** Level-triggered: starts what the target asks for beyond what is there or on its way. */
  private reconcile(): void {
    if (this.draining) return;
    for (let missing = this.min - this.size; missing > 0; missing--) this.createOne();
  }

  private applyTarget(extra: number): void {
    const room = this.options.maxTotal - this.options.outside() - extra;
    let min = Math.max(0, Math.min(this.desired, room));
    // While claims are being bound, replacements wait (up to maxDeferMs): starting processes
    // would take the CPU the binds need. The last bind of a burst releases them all.
    const now = this.options.clock.now();
    if (this.lent > 0 && now - (this.deferredSince ?? now) < this.options.replenishDeferMs) {
      this.deferredSince ??= now;
      min = Math.min(min, this.size - 1);
    } else {
      this.deferredSince = undefined;
    }
    this.min = min;
  }

  /** warm = available, starting = being created, lent = taken and being bound. */
  counts(): { warm: number; starting: number; lent: number; size: number } {
    return {
      warm: this.idle.length,
      starting: this.creating,
      lent: this.loans.size,
      size: this.size,
    };
  }

  /**
   * A validated warm container, still on loan from the pool; undefined when none is warm now.
   * The caller binds it, then hands it off: the replacement is created only after the bind,
   * so the spawn does not compete with the bind for the CPU.
   */
  async takeWarm(): Promise<Container | undefined> {
    if (this.idle.length === 0) return undefined;
    // An unhealthy one is destroyed and the next is tried; if none is left, this waits for a
    // container the pool creates (bounded by waitTimeoutMs).
    return this.lend();
  }

  /** Waits (bounded) for a container the pool is creating; for when the profile is at capacity. */
  waitForOne(): Promise<Container> {
    return this.lend();
  }

  private async lend(): Promise<Container> {
    this.lent++;
    try {
      return await this.acquire();
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
    if (!this.loans.has(container)) return;
    this.lent--;
    this.confirmed.delete(container.id);
    this.detached.add(container.id);
    this.applyTarget(0);
    this.giveBack(container);
  }

  /** Destroys one surplus warm container when there are more than the target. */
  async shrinkOne(): Promise<boolean> {
    if (this.shrinking || this.idle.length <= this.target) return false;
    this.shrinking = true;
    try {
      const container = await this.acquire();
      this.giveBack(container);
      this.options.onEvicted('shrink');
      return true;
    } finally {
      this.shrinking = false;
    }
  }

  /**
   * A container of this pool died on its own (the runtime's death signal): an idle one leaves
   * the books at once, is destroyed, and the reconcile starts its replacement, without waiting
   * for a claim to find it dead. One being health-checked or lent is left to that check or
   * bind, which fails and replaces it; it is only marked unconfirmed. True when it was this
   * pool's.
   */
  dropDead(id: string): boolean {
    const index = this.idle.findIndex((container) => container.id === id);
    const adoptedIndex = this.adoptable.findIndex((container) => container.id === id);
    if (index < 0 && adoptedIndex < 0) {
      if (!this.known.has(id)) return false;
      if (this.confirmed.has(id)) this.confirmed.set(id, 0);
      return true;
    }
    const [dead] = index >= 0 ? this.idle.splice(index, 1) : this.adoptable.splice(adoptedIndex, 1);
    this.options.onEvicted('died');
    void this.destroy(dead!);
    this.reconcile();
    this.dispense();
    return true;
  }

  /** Stops replenishing and destroys every container still in the pool (shutdown). */
  async drain(): Promise<void> {
    this.desired = 0;
    this.min = 0;
    this.starts.close();
    this.draining = true;
    // Claims waiting for a container get one or time out; lent containers come back through
    // handOff once their binds end.
    await Promise.allSettled([...this.pending]);
    if (this.loans.size > 0) await new Promise<void>((done) => this.loansReturned.push(done));
    await Promise.allSettled([...this.creations]);
    await Promise.all(this.idle.splice(0).map((container) => this.destroy(container)));
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
        return runtime.create(profile, undefined, { background: true });
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
          if (!container || this.loans.has(container)) return;
          const warm = await this.isWarm(container);
          if (this.confirmed.has(id)) this.confirmed.set(id, warm ? this.options.clock.now() : 0);
        }),
      );
    } finally {
      this.probing = false;
    }
  }

  /** One container for a claim or a shrink: health-checked, waited for when none is warm. */
  private acquire(): Promise<Container> {
    if (this.draining) return Promise.reject(new Error('the pool is draining'));
    let waiter!: Waiter;
    const promise = new Promise<Container>((resolve, reject) => {
      const { waitTimeoutMs } = this.options;
      const timer =
        waitTimeoutMs > 0
          ? setTimeout(() => {
              const index = this.waiters.indexOf(waiter);
              if (index >= 0) this.waiters.splice(index, 1);
              reject(
                errors.deadlineExceeded(
                  `no warm container of profile ${this.profile} within ${waitTimeoutMs} ms`,
                ),
              );
            }, waitTimeoutMs)
          : undefined;
      waiter = { resolve, reject, timer };
    });
    this.waiters.push(waiter);
    const settled: Promise<unknown> = promise.then(
      () => this.pending.delete(settled),
      () => this.pending.delete(settled),
    );
    this.pending.add(settled);
    this.dispense();
    return promise;
  }

  /**
   * Serves the waiting: starts what they lack beyond what is warm, checked or coming (within
   * the profile's maximum), and health-checks one warm container per waiter.
   */
  private dispense(): void {
    const waiting = this.waiters.length;
    if (waiting === 0) return;
    const shortfall = waiting - (this.idle.length + this.validating + this.creations.size);
    const spare = this.options.maxTotal - this.size;
    for (let i = 0; i < Math.min(spare, shortfall); i++) this.createOne();
    const toCheck = Math.min(this.idle.length, waiting - this.validating);
    for (let i = 0; i < toCheck; i++) this.checkOne();
  }

  private checkOne(): void {
    const container = this.idle.shift()!;
    this.validating++;
    void this.validate(container)
      .catch(() => false)
      .then((healthy) => {
        this.validating--;
        if (!healthy) {
          void this.destroy(container);
          this.reconcile();
          this.dispense();
          return;
        }
        const waiter = this.waiters.shift();
        if (!waiter) {
          this.idle.push(container); // the waiter gave up meanwhile
          return;
        }
        clearTimeout(waiter.timer);
        this.loans.add(container);
        waiter.resolve(container);
      });
  }

  private createOne(): void {
    const creation = this.create().then(
      (container) => {
        this.creations.delete(creation);
        this.idle.push(container);
        this.dispense();
      },
      (error: unknown) => {
        this.creations.delete(creation);
        this.options.log(`create failed for profile ${this.profile}: ${String(error)}`);
        this.dispense();
      },
    );
    this.creations.add(creation);
  }

  /** A lent container leaves the books: destroyed, unless detached (bound, kept alive). */
  private giveBack(container: Container): void {
    this.loans.delete(container);
    void this.destroy(container);
    this.reconcile();
    if (this.loans.size === 0) for (const done of this.loansReturned.splice(0)) done();
    this.dispense();
  }

  private destroy(container: Container): Promise<void> {
    return this.destroyUnlessDetached(container).catch((error: unknown) =>
      this.options.log(`destroy failed for profile ${this.profile}: ${String(error)}`),
    );
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
