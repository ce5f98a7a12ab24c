import { describe, expect, it } from 'vitest';
import { callNameOf, CallRegistry, CALL_META } from './call-registry.js';

describe('CallRegistry', () => {
  it('aborts a running named call; unnamed calls cannot be cancelled by name', () => {
    const calls = new CallRegistry();
    const named = calls.start('s1/7');
    const unnamed = calls.start(undefined);
    expect(calls.cancel('s1/7', 'stop')).toBe(true);
    expect(named.signal?.aborted).toBe(true);
    expect(unnamed.signal).toBeUndefined();
    named.done();
  });

  it('a cancel that overtakes its call refuses it when it starts, within the time limit', () => {
    let now = 0;
    const calls = new CallRegistry(() => now);
    expect(calls.cancel('s1/8', 'early')).toBe(false);
    expect(calls.start('s1/8').signal?.aborted).toBe(true);
    expect(calls.cancel('s1/9', 'early')).toBe(false);
    now = 61_000;
    expect(calls.start('s1/9').signal?.aborted).toBe(false);
  });

  it('reads the call name from _meta, refusing odd ones', () => {
    expect(callNameOf({ [CALL_META]: 's/1' })).toBe('s/1');
    expect(callNameOf({ [CALL_META]: 5 })).toBeUndefined();
    expect(callNameOf({ [CALL_META]: 'x'.repeat(401) })).toBeUndefined();
    expect(callNameOf(undefined)).toBeUndefined();
  });
});
