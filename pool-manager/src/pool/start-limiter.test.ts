import { describe, expect, it } from 'vitest';
import { createStartLimiter } from './start-limiter.js';

function deferred() {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((a, b) => ((resolve = a), (reject = b)));
  return { promise, resolve, reject };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('createStartLimiter', () => {
  it('runs at most `max` starts at once, the rest in call order as each ends', async () => {
    const limiter = createStartLimiter(2);
    const gates = [deferred(), deferred(), deferred(), deferred()];
    const started: number[] = [];
    const runs = gates.map((gate, i) =>
      limiter.run(async () => {
        started.push(i);
        await gate.promise;
        return i;
      }),
    );
    await tick();
    expect(started).toEqual([0, 1]);
    expect(limiter.queued).toBe(2);
    gates[1]!.resolve();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    // A failed start frees its place too.
    gates[0]!.reject(new Error('spawn failed'));
    await expect(runs[0]).rejects.toThrow('spawn failed');
    await tick();
    expect(started).toEqual([0, 1, 2, 3]);
    gates[2]!.resolve();
    gates[3]!.resolve();
    expect(await Promise.all(runs.slice(1))).toEqual([1, 2, 3]);
    expect(limiter.queued).toBe(0);
  });

  it('refuses the starts still waiting once closed, and any later one', async () => {
    const limiter = createStartLimiter(1);
    const gate = deferred();
    const first = limiter.run(() => gate.promise);
    const second = limiter.run(async () => 'never');
    limiter.close();
    await expect(second).rejects.toThrow('draining');
    await expect(limiter.run(async () => 'never')).rejects.toThrow('draining');
    gate.resolve();
    await first; // the one already running ends normally
  });

  it('0 means no bound', async () => {
    const limiter = createStartLimiter(0);
    const gate = deferred();
    let started = 0;
    const runs = Array.from({ length: 5 }, () =>
      limiter.run(async () => {
        started++;
        await gate.promise;
      }),
    );
    await tick();
    expect(started).toBe(5);
    gate.resolve();
    await Promise.all(runs);
  });
});
