import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { createOwnWrites } from './own-writes.js';

const pod = (resourceVersion: string, state: string): V1Pod => ({
  metadata: { name: 'p', resourceVersion, labels: { 'warmgate.dev/state': state } },
});

describe('own writes', () => {
  it('shows our write until the watch reaches its version', () => {
    const writes = createOwnWrites();
    writes.record(pod('12', 'claimed'), pod('10', 'warm'));
    writes.observe(pod('11', 'warm'), false);
    expect(writes.get('p')?.metadata?.labels?.['warmgate.dev/state']).toBe('claimed');
    writes.observe(pod('12', 'claimed'), false);
    expect(writes.get('p')).toBeUndefined();
  });

  it('ignores a write the watch already delivered, and forgets deleted pods', () => {
    const writes = createOwnWrites();
    writes.record(pod('12', 'claimed'), pod('13', 'draining'));
    expect(writes.get('p')).toBeUndefined();
    writes.record(pod('14', 'claimed'), undefined);
    writes.observe(pod('13', 'claimed'), true);
    expect(writes.get('p')).toBeUndefined();
  });

  it('treats non-numeric versions as opaque: only the same version clears', () => {
    const writes = createOwnWrites();
    writes.record(pod('b', 'claimed'), undefined);
    writes.observe(pod('a', 'warm'), false);
    expect(writes.get('p')).toBeDefined();
    writes.observe(pod('b', 'claimed'), false);
    expect(writes.get('p')).toBeUndefined();
  });
});
