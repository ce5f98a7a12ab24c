// Tool calls proxied to the agent: one span and one count per call, by outcome.
import { codeName, WarmgateError } from '@warmgate/proto';
import { gatewayMetrics } from '../telemetry/metrics.js';
import { inSpan } from '../telemetry/tracer.js';

export async function measureUserCall<T extends { isError: boolean }>(
  name: string,
  call: () => Promise<T>,
): Promise<T> {
  return inSpan('mcp.call_tool', { 'warmgate.route': 'user', 'warmgate.tool': name }, async () => {
    let outcome = 'ok';
    try {
      const result = await call();
      if (result.isError) outcome = 'tool_error';
      return result;
    } catch (error) {
      outcome = codeName(WarmgateError.from(error).code);
      throw error;
    } finally {
      gatewayMetrics().toolCalls.add(1, { route: 'user', outcome });
    }
  });
}
