import { describe, expect, it } from 'vitest';
import { createLeaderElector, type ElectorClock } from './leader-elector.js';
import { createMemoryLeaseStore, type LeaseStore } from './lease-store.js';

function manualClock(): ElectorClock & { advance(ms: number): void } {
  let now = 1_000_000;
  return {
    now: () => now,
    sleep: async () => undefined,
    advance: (ms) => {
      now += ms;
    },
  };
}

function candidate(identity: string, store: LeaseStore, clock: ElectorClock) {
  const events: string[] = [];
  const elector = createLeaderElector({
    store,
    identity,
    clock,
    leaseDurationMs: 15_000,
    renewDeadlineMs: 10_000,
    retryPeriodMs: 2_000,
    onStartedLeading: () => events.push('started'),
    onStoppedLeading: () => events.push('stopped'),
  });
  return { elector, events };
}

describe('leader elector', () => {
  it('gives a free lease to the first candidate only, and lets it renew', async () => {
    const store = createMemoryLeaseStore();
    const clock = manualClock();
    const a = candidate('a', store, clock);
    const b = candidate('b', store, clock);
    expect(await a.elector.step()).toBe(true);
    expect(await b.elector.step()).toBe(false);
    clock.advance(2_000);
    expect(await a.elector.step()).toBe(true);
    expect(await b.elector.step()).toBe(false);
    expect(a.events).toEqual(['started']);
    expect(b.events).toEqual([]);
    expect(store.current()).toMatchObject({ holderIdentity: 'a', leaseTransitions: 0 });
  });

  it('hands the lease over once the leader stops renewing for a lease duration', async () => {
    const store = createMemoryLeaseStore();
    const clock = manualClock();
    const a = candidate('a', store, clock);
    const b = candidate('b', store, clock);
    await a.elector.step();
    await b.elector.step(); // b first sees a's record now
    clock.advance(14_999);
    expect(await b.elector.step()).toBe(false);
    clock.advance(1);
    expect(await b.elector.step()).toBe(true);
    expect(b.events).toEqual(['started']);
    expect(store.current()).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    // a wakes up: it has not renewed for longer than its deadline and steps down.
    expect(await a.elector.step()).toBe(false);
    expect(a.events).toEqual(['started', 'stopped']);
    expect(a.elector.isLeader()).toBe(false);
  });

  it('judges expiry by its own clock, not the holder’s timestamps', async () => {
    const store = createMemoryLeaseStore();
    const clock = manualClock();
    // The holder's clock is an hour behind: its renewTime looks long expired.
    await store.create({
      holderIdentity: 'skewed',
      leaseDurationSeconds: 15,
      acquireTime: clock.now() - 3_600_000,
      renewTime: clock.now() - 3_600_000,
      leaseTransitions: 0,
    });
    const b = candidate('b', store, clock);
    expect(await b.elector.step()).toBe(false);
  });

  it('steps down when it cannot renew before the renew deadline', async () => {
    const inner = createMemoryLeaseStore();
    let failing = false;
    const store: LeaseStore = {
      get: () => (failing ? Promise.reject(new Error('partitioned')) : inner.get()),
      create: (r) => inner.create(r),
      update: (r, v) => inner.update(r, v),
    };
    const clock = manualClock();
    const a = candidate('a', store, clock);
    await a.elector.step();
    failing = true;
    clock.advance(9_999);
    await a.elector.step();
    expect(a.elector.isLeader()).toBe(true);
    clock.advance(1);
    await a.elector.step();
    expect(a.elector.isLeader()).toBe(false);
    expect(a.events).toEqual(['started', 'stopped']);
  });

  it('releases the lease on stop, so another candidate takes over at once', async () => {
    const store = createMemoryLeaseStore();
    const clock = manualClock();
    const a = candidate('a', store, clock);
    const b = candidate('b', store, clock);
    await a.elector.step();
    await b.elector.step();
    await a.elector.stop();
    expect(a.events).toEqual(['started', 'stopped']);
    expect(store.current()?.holderIdentity).toBe('');
    expect(await b.elector.step()).toBe(true);
  });

  it('refuses timings where the leader could outlive its lease', () => {
    expect(() =>
      createLeaderElector({
        store: createMemoryLeaseStore(),
        identity: 'a',
        leaseDurationMs: 5_000,
        renewDeadlineMs: 5_000,
        onStartedLeading: () => undefined,
        onStoppedLeading: () => undefined,
      }),
    ).toThrow(/renewDeadline < leaseDuration/);
  });
});
