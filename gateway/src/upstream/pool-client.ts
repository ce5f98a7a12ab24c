// The gateway's side of the pool manager's Pool service: Acquire (measured by source) and a
// throttled Touch. The gateway never creates containers; it only asks for bindings.
import type { AuthMode } from '@warmgate/proto';
import { ErrorCode, WarmgateError, errors, poolv1 } from '@warmgate/proto';
import { bearerHeaders, createClient } from '@warmgate/proto/grpc';
import type { Principal } from '../core/ports.js';
import { gatewayMetrics } from '../telemetry/metrics.js';
import { withTraceHeaders } from '../telemetry/propagation.js';
import { inSpan } from '../telemetry/tracer.js';

/** The two Pool methods the gateway uses (a real client or, in tests, anything alike). */
export interface PoolApi {
  acquire(
    request: {
      userId: string;
      tier: string;
      mode: AuthMode;
      staleBindingId: string;
      /** Direct mode: the client's JWE, for the pool manager to verify before it acquires. */
      credential?: string;
    },
    options: { signal?: AbortSignal; timeoutMs?: number; headers?: Record<string, string> },
  ): Promise<poolv1.AcquireResponse>;
  touch(
    request: { userId: string; bindingId: string },
    options: { timeoutMs?: number; headers?: Record<string, string> },
  ): Promise<poolv1.TouchResponse>;
  /** Ends a binding now; the gateway uses it for public bindings whose last session closed. */
  release?(
    request: { userId: string; bindingId: string },
    options: { timeoutMs?: number; headers?: Record<string, string> },
  ): Promise<poolv1.ReleaseResponse>;
}

/** A Pool client that sends the deployment secret (`authorization: Bearer`) on every call. */
export function createPoolApi(address: string, secret?: string): PoolApi & { close(): void } {
  return createClient(poolv1.Pool, address, secret ? { headers: bearerHeaders(secret) } : {});
}

/**
 * The gateway built the Acquire request from a verified principal and its own configuration,
 * so a pool manager refusing it as INVALID_ARGUMENT (e.g. a tier it does not know) is a
 * deployment fault, not the chat client's: INTERNAL, with the pool manager's words.
 */
function fromPoolError(error: unknown): WarmgateError {
  const failure = WarmgateError.from(error);
  if (failure.code !== ErrorCode.INVALID_ARGUMENT) return failure;
  return new WarmgateError(ErrorCode.INTERNAL, `the pool manager refused: ${failure.message}`, {
    cause: failure,
  });
}

const sourceLabel: Record<poolv1.AcquireSource, 'existing' | 'warm' | 'cold' | undefined> = {
  [poolv1.AcquireSource.UNSPECIFIED]: undefined,
  [poolv1.AcquireSource.EXISTING]: 'existing',
  [poolv1.AcquireSource.WARM]: 'warm',
  [poolv1.AcquireSource.COLD]: 'cold',
};

export async function acquireBinding(
  pool: PoolApi,
  principal: Principal,
  staleBindingId: string,
  options: { signal: AbortSignal; timeoutMs: number },
): Promise<poolv1.Binding> {
  return inSpan('pool.acquire', { 'warmgate.tier': principal.tier }, async (span) => {
    const started = performance.now();
    const response = await pool
      .acquire(
        {
          userId: principal.userId,
          tier: principal.tier,
          mode: principal.mode,
          staleBindingId,
          ...(principal.credential === undefined ? {} : { credential: principal.credential }),
        },
        { signal: options.signal, timeoutMs: options.timeoutMs, headers: withTraceHeaders() },
      )
      .catch((error: unknown) => {
        throw fromPoolError(error);
      });
    const source = sourceLabel[response.source];
    if (source) {
      gatewayMetrics().acquireLatency.record((performance.now() - started) / 1000, { source });
      span.setAttribute('warmgate.acquire_source', source);
    }
    const binding = response.binding;
    if (!binding?.mcpUrl || !binding.bindingId) {
      throw errors.internal('the pool manager answered Acquire without a usable binding');
    }
    // Never talk to an agent bound to someone else, whatever the pool manager says.
    if (binding.userId !== principal.userId) {
      throw errors.internal('the pool manager returned a binding of another user');
    }
    return binding;
  });
}
