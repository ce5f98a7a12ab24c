// warmgate.pool.v1.Pool in front of whichever core currently leads: the leader answers as the
// pool service does; a standby refuses with UNAVAILABLE ("not the leader") — the gateway
// retries, and the readiness probe keeps the Service on the leader — and its GetStatus says
// leader=false with an empty state.
import { errors, type poolv1 } from '@warmgate/proto';
import type { ServiceImpl } from '@warmgate/proto/grpc';
import type { PoolCore } from '../pool/pool-core.js';
import type { DirectAcquire } from '../service/direct-acquire.js';
import { createPoolService } from '../service/pool-service.js';
import { stateToWire } from '../service/to-wire.js';

type PoolImpl = ServiceImpl<typeof poolv1.Pool>;

export function createGatedPoolService(
  current: () => PoolCore | undefined,
  direct?: DirectAcquire,
): PoolImpl {
  const services = new WeakMap<PoolCore, PoolImpl>();
  const leading = (): PoolImpl => {
    const core = current();
    if (core === undefined) throw errors.unavailable('not the leader');
    let service = services.get(core);
    if (service === undefined) {
      service = createPoolService(core, direct);
      services.set(core, service);
    }
    return service;
  };
  return {
    acquire: async (request, context) => leading().acquire(request, context),
    release: async (request, context) => leading().release(request, context),
    touch: async (request, context) => leading().touch(request, context),
    async getStatus(request, context) {
      if (current() === undefined) {
        return { state: stateToWire({ at: Date.now(), profiles: [], bindings: 0 }, false) };
      }
      return leading().getStatus(request, context);
    },
    async *watchState(request, context) {
      yield* leading().watchState(request, context);
    },
  };
}
