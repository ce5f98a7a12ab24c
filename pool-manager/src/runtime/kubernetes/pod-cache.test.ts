import type { V1Pod } from '@kubernetes/client-node';
import { ErrorCode } from '@warmgate/proto';
import { describe, expect, it } from 'vitest';
import { fakePodCache } from './fake-pod-cache.test-support.js';
import { waitForPod } from './pod-cache.js';
import { isReady } from './pod-view.js';

const pod = (ready: boolean): V1Pod => ({
  metadata: { name: 'p' },
  status: ready
    ? { phase: 'Running', podIP: '10.0.0.1', conditions: [{ type: 'Ready', status: 'True' }] }
    : { phase: 'Pending' },
});

describe('waitForPod', () => {
  it('resolves from the cache at once, or on the watch event that satisfies it', async () => {
    const cache = fakePodCache();
    cache.emit('add', pod(true));
    await expect(waitForPod(cache, 'p', isReady, { timeoutMs: 1000 })).resolves.toBeDefined();

    const later = fakePodCache();
    const waiting = waitForPod(later, 'p', isReady, { timeoutMs: 1000 });
    later.emit('add', pod(false));
    later.emit('update', { ...pod(true), metadata: { name: 'other' } });
    later.emit('update', pod(true));
    await expect(waiting).resolves.toMatchObject({ status: { phase: 'Running' } });
  });

  it('rejects when the pod is deleted, on abort, and on timeout', async () => {
    const cache = fakePodCache();
    const deleted = waitForPod(cache, 'p', isReady, { timeoutMs: 1000 });
    cache.emit('add', pod(false));
    cache.emit('delete', pod(false));
    await expect(deleted).rejects.toMatchObject({ code: ErrorCode.UNAVAILABLE });

    const controller = new AbortController();
    const aborted = waitForPod(cache, 'p', isReady, { timeoutMs: 1000, signal: controller.signal });
    controller.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');

    await expect(waitForPod(cache, 'p', isReady, { timeoutMs: 10 })).rejects.toMatchObject({
      code: ErrorCode.DEADLINE_EXCEEDED,
    });
  });
});
