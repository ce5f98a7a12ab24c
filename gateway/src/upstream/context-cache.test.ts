import { describe, expect, it } from 'vitest';
import { contextResources, createContextCache, type ContextSource } from './context-cache.js';

function source(options: { subscribable?: boolean } = {}) {
  const reads: string[] = [];
  const texts = new Map<string, string>(
    Object.values(contextResources).map((uri) => [uri, `v1 ${uri}`]),
  );
  let gate: Promise<void> | undefined;
  const fake: ContextSource & {
    reads: string[];
    texts: Map<string, string>;
    hold(p: Promise<void>): void;
  } = {
    reads,
    texts,
    hold: (p) => (gate = p),
    async read(uri) {
      reads.push(uri);
      const text = texts.get(uri) ?? '';
      if (gate) await gate;
      return text;
    },
    subscribe: async () => options.subscribable ?? true,
  };
  return fake;
}

const signal = new AbortController().signal;

describe('context cache', () => {
  it('reads every context resource once, then serves the cache', async () => {
    const fake = source();
    const cache = createContextCache(fake);
    const context = await cache.get(signal);
    expect(context.profile).toBe('v1 context://user-profile');
    expect(context.strategies).toBe('v1 strategies://list');
    await cache.get(signal);
    expect(fake.reads).toHaveLength(6);
  });

  it('re-reads only what an update invalidated', async () => {
    const fake = source();
    const cache = createContextCache(fake);
    await cache.get(signal);
    fake.texts.set('indicators://list', 'v2');
    cache.invalidate('indicators://list');
    expect((await cache.get(signal)).indicators).toBe('v2');
    expect(fake.reads.filter((uri) => uri === 'indicators://list')).toHaveLength(2);
    expect(fake.reads).toHaveLength(7);
  });

  it('does not cache a read that an update overtook', async () => {
    const fake = source();
    const cache = createContextCache(fake);
    let release = () => {};
    fake.hold(new Promise<void>((resolve) => (release = resolve)));
    const first = cache.get(signal);
    await new Promise((resolve) => setImmediate(resolve));
    cache.invalidate('context://workspace-state'); // arrives while the read is in flight
    release();
    await first;
    fake.hold(Promise.resolve());
    await cache.get(signal);
    expect(fake.reads.filter((uri) => uri === 'context://workspace-state')).toHaveLength(2);
  });

  it('never caches what it cannot watch', async () => {
    const fake = source({ subscribable: false });
    const cache = createContextCache(fake);
    await cache.get(signal);
    await cache.get(signal);
    expect(fake.reads).toHaveLength(12);
  });
});
