import type { MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { poolv1 } from '@warmgate/proto';
import type { AcquireSourceName, Binding } from '../pool/binding.js';
import type { PoolStateView } from '../pool/pool-state.js';

export function bindingToWire(binding: Binding): MessageInitShape<typeof poolv1.BindingSchema> {
  return {
    bindingId: binding.bindingId,
    userId: binding.userId,
    tier: binding.tier,
    mode: binding.mode,
    profile: binding.profile,
    containerId: binding.container.id,
    mcpUrl: binding.mcpUrl,
    assertionKey: binding.assertionKey,
    boundAt: timestampFromMs(binding.boundAt),
  };
}

export function stateToWire(
  state: PoolStateView,
  leader: boolean,
): MessageInitShape<typeof poolv1.PoolStateSchema> {
  return {
    at: timestampFromMs(state.at),
    bindings: state.bindings,
    leader,
    profiles: state.profiles.map((p) => ({
      profile: p.profile,
      warm: p.warm,
      starting: p.starting,
      bound: p.bound,
      draining: p.draining,
      targetWarm: p.targetWarm,
      targetWarmHistory: p.targetWarmHistory,
      targetWarmRecent: p.targetWarmRecent,
      minWarm: p.minWarm,
      maxTotal: p.maxTotal,
      claimRatePerMinute: Math.round(p.claimRatePerMinute * 100) / 100,
    })),
  };
}

export function sourceToWire(source: AcquireSourceName): poolv1.AcquireSource {
  switch (source) {
    case 'existing':
      return poolv1.AcquireSource.EXISTING;
    case 'warm':
      return poolv1.AcquireSource.WARM;
    case 'cold':
      return poolv1.AcquireSource.COLD;
  }
}
