import { AuthMode, errors, type poolv1 } from '@warmgate/proto';
import type { ServiceImpl } from '@warmgate/proto/grpc';
import type { PoolCore } from '../pool/pool-core.js';
import type { PoolStateView } from '../pool/pool-state.js';
import type { DirectAcquire } from './direct-acquire.js';
import { bindingToWire, sourceToWire, stateToWire } from './to-wire.js';

/** Without a verifier, direct-mode acquires are refused: nothing for an unverified credential. */
const noDirect: DirectAcquire = async (request) => {
  if (request.mode === AuthMode.DIRECT) {
    throw errors.unauthenticated(
      'direct mode is not configured on the pool manager (WARMGATE_AGENT_JWE_PRIVATE_KEY and WARMGATE_DIRECT_ISSUER_KEYS)',
    );
  }
  return { tier: request.tier };
};

/** warmgate.pool.v1.Pool over the pool core; this process is always the leader for now. */
export function createPoolService(
  core: PoolCore,
  direct: DirectAcquire = noDirect,
): ServiceImpl<typeof poolv1.Pool> {
  const leader = true;
  return {
    async acquire(request) {
      const { tier } = await direct(request);
      const result = await core.acquire({
        userId: request.userId,
        tier,
        mode: request.mode,
        staleBindingId: request.staleBindingId || undefined,
      });
      return {
        binding: bindingToWire(result.binding),
        source: sourceToWire(result.source),
        durationMs: Math.round(result.durationMs),
      };
    },
    async release(request) {
      // Ending a binding needs its id: "whatever this user has bound" is not a thing to ask for.
      if (!request.bindingId) throw errors.invalidArgument('binding_id is empty');
      return { released: await core.release(request.userId, request.bindingId) };
    },
    async touch(request) {
      return { bound: core.touch(request.userId, request.bindingId) };
    },
    async getStatus(request) {
      const binding = request.userId ? core.binding(request.userId) : undefined;
      return {
        state: stateToWire(core.state(), leader),
        // A status is no way to obtain a binding's assertion key: only Acquire hands it out.
        binding: binding
          ? { ...bindingToWire(binding), assertionKey: new Uint8Array() }
          : undefined,
      };
    },
    async *watchState(_request, context) {
      for await (const state of watch(core, context.signal)) {
        yield { state: stateToWire(state, leader) };
      }
    },
  };
}

/** The core's state updates as an async iterable, until `signal` aborts. Keeps only the latest. */
async function* watch(core: PoolCore, signal: AbortSignal): AsyncGenerator<PoolStateView> {
  let latest: PoolStateView | undefined;
  let wake: (() => void) | undefined;
  const unsubscribe = core.watch((state) => {
    latest = state;
    wake?.();
  });
  const onAbort = () => wake?.();
  signal.addEventListener('abort', onAbort);
  try {
    while (!signal.aborted) {
      if (!latest) await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
      if (latest && !signal.aborted) {
        const state = latest;
        latest = undefined;
        yield state;
      }
    }
  } finally {
    unsubscribe();
    signal.removeEventListener('abort', onAbort);
  }
}
