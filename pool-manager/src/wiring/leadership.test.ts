import { describe, expect, it } from 'vitest';
import type { LeaderElector } from '../leader/index.js';
import type { PoolCore } from '../pool/pool-core.js';
import { electedLeadership, type ElectedOptions } from './leadership.js';

/** A core that records what happened to it (leadership only starts, closes and shuts down). */
function fakeCore(events: string[], name: string, failStart = false, gate?: Promise<void>) {
  return {
    start: async () => {
      events.push(`${name} start`);
      await gate;
      if (failStart) throw new Error('api down');
    },
    close: () => events.push(`${name} close`),
    shutdown: async () => {
      events.push(`${name} shutdown`);
    },
  } as unknown as PoolCore;
}

/** An elector driven by hand: the test decides when the lease is won or lost. */
function setup(failFirstStart = false, gate?: Promise<void>) {
  const events: string[] = [];
  const changes: boolean[] = [];
  let callbacks: Parameters<ElectedOptions['makeElector']>[0] | undefined;
  let stopped = false;
  let cores = 0;
  const leadership = electedLeadership({
    makeCore: () => {
      cores++;
      return fakeCore(events, `core${cores}`, failFirstStart && cores === 1, gate);
    },
    makeElector: (given) => {
      callbacks = given;
      return {
        start: () => events.push('elector start'),
        stop: async () => {
          stopped = true;
          events.push('elector stop');
        },
      } as unknown as LeaderElector;
    },
    onChange: (leading) => changes.push(leading),
    log: () => {},
  });
  const win = () => {
    const term = new AbortController();
    callbacks!.onStartedLeading(term.signal);
    return term;
  };
  const lose = (term: AbortController) => {
    term.abort();
    callbacks!.onStoppedLeading();
  };
  return { leadership, events, changes, win, lose, stopped: () => stopped };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('electedLeadership', () => {
  it('runs no core until the lease is won, a fresh core per term', async () => {
    const { leadership, events, changes, win, lose } = setup();
    expect(leadership.core()).toBeUndefined();
    const first = win();
    await settle();
    expect(leadership.core()).toBeDefined();
    lose(first);
    expect(leadership.core()).toBeUndefined();
    win();
    await settle();
    expect(events).toEqual(['elector start', 'core1 start', 'core1 close', 'core2 start']);
    expect(changes).toEqual([true, false, true]);
  });

  it('on close, shuts the core down before giving up the lease', async () => {
    const { leadership, events, win } = setup();
    win();
    await settle();
    await leadership.close(1000);
    expect(events.slice(-2)).toEqual(['core1 shutdown', 'elector stop']);
    expect(leadership.core()).toBeUndefined();
  });

  it('closes a core whose term ended while it was starting', async () => {
    let open = () => {};
    const gate = new Promise<void>((resolve) => (open = resolve));
    const { leadership, events, changes, win } = setup(false, gate);
    const term = win();
    await settle();
    term.abort(); // lost before the core's start resolved
    open();
    await settle();
    expect(leadership.core()).toBeUndefined();
    expect(events).toEqual(['elector start', 'core1 start', 'core1 close']);
    expect(changes).toEqual([]);
  });

  it('gives the lease up when its core cannot start', async () => {
    const { leadership, changes, win, stopped } = setup(true);
    win();
    await settle();
    expect(leadership.core()).toBeUndefined();
    expect(changes).toEqual([]);
    expect(stopped()).toBe(true);
  });
});
