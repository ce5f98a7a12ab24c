// The platform tools: run inside the gateway, the same for every user. Names are namespaced
// (market_*, time_*) so they rarely clash with user tools (clash rule: core/tools/tool-names.ts).
import { codeName, errors, WarmgateError } from '@warmgate/proto';
import { gatewayMetrics } from '../telemetry/metrics.js';
import type { PlatformTools } from '../core/ports.js';
import type { MarketDataProvider } from './market-data-provider.js';
import { marketTools, type PlatformTool } from './market-tools.js';
import { createSampleMarketData } from './sample-market-data.js';
import { timeTools } from './time-tools.js';

export interface PlatformToolsOptions {
  /** Defaults to the bundled generated sample data. */
  readonly marketData?: MarketDataProvider;
  readonly now?: () => number;
}

export function createPlatformTools(options: PlatformToolsOptions = {}): PlatformTools {
  const now = options.now ?? Date.now;
  const tools: PlatformTool[] = [
    ...marketTools(options.marketData ?? createSampleMarketData()),
    ...timeTools(),
  ];
  const byName = new Map(tools.map((tool) => [tool.descriptor.name, tool]));
  const descriptors = tools.map((tool) => tool.descriptor);

  return {
    list: () => descriptors,
    async call(name, args, callOptions) {
      callOptions.signal.throwIfAborted();
      const tool = byName.get(name);
      if (!tool) throw errors.notFound(`no platform tool named "${name}"`);
      let outcome = 'ok';
      try {
        const result = tool.run(args, now());
        if (result.isError) outcome = 'tool_error';
        return result;
      } catch (error) {
        outcome = codeName(WarmgateError.from(error).code);
        throw error;
      } finally {
        gatewayMetrics().toolCalls.add(1, { route: 'platform', outcome });
      }
    },
  };
}
