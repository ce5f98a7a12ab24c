// What the runner reads from the stack's /metrics around a k6 run: counters before and after,
// so a run against a long-lived --target stack reports only its own traffic.
import { parsePrometheus, sumBy, sumOf, type Sample } from './prometheus-text.js';
import type { Target } from './target.js';

export interface StackCounters {
  /** Pool.Acquire calls served, by source (warm, cold, existing). */
  readonly claims: Record<string, number>;
  readonly coldStarts: number;
  /** Tool calls by outcome (ok, tool_error, an error code). */
  readonly toolCalls: Record<string, number>;
  /** Client messages by transport. */
  readonly messages: Record<string, number>;
}

export async function scrape(target: Target): Promise<Sample[]> {
  const response = await fetch(`http://${target.http}/metrics`, {
    signal: AbortSignal.timeout(5000),
  }).catch(() => undefined);
  if (!response?.ok) return [];
  return parsePrometheus(await response.text());
}

export function counters(samples: readonly Sample[]): StackCounters {
  return {
    claims: sumBy(samples, 'warmgate_pool_claim_duration', '_count', 'source'),
    coldStarts: sumOf(samples, 'warmgate_pool_cold_starts'),
    toolCalls: sumBy(samples, 'warmgate_gateway_tool_calls', '', 'outcome'),
    messages: sumBy(samples, 'warmgate_gateway_messages', '', 'transport'),
  };
}

/** after − before, field by field. */
export function delta(before: StackCounters, after: StackCounters): StackCounters {
  const minus = (a: Record<string, number>, b: Record<string, number>) =>
    Object.fromEntries(Object.entries(a).map(([k, v]) => [k, v - (b[k] ?? 0)]));
  return {
    claims: minus(after.claims, before.claims),
    coldStarts: after.coldStarts - before.coldStarts,
    toolCalls: minus(after.toolCalls, before.toolCalls),
    messages: minus(after.messages, before.messages),
  };
}

/** Warm claims / (warm + cold): how often a new binding found a warm container. */
export function poolHitRate(claims: Record<string, number>): number | undefined {
  const warm = claims.warm ?? 0;
  const cold = claims.cold ?? 0;
  return warm + cold === 0 ? undefined : Math.round((warm / (warm + cold)) * 1000) / 1000;
}

/** Open client connections now (the gateway's up-down counter), all transports. */
export function openConnections(samples: readonly Sample[]): number {
  return sumOf(samples, 'warmgate_gateway_connections');
}

/** Warm containers ready now (the pool manager's gauge). */
export function warmContainers(samples: readonly Sample[]): number {
  return sumOf(samples, 'warmgate_pool_containers', '', { state: 'warm' });
}
