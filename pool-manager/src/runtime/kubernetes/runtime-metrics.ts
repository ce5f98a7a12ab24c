// The Kubernetes runtime's metrics, through @opentelemetry/api only (the SDK starts in
// main.ts; without it these are no-ops). Labels are bounded: operation and error-code enums,
// profile names from configuration — never pod names or raw errors.
import { metrics, type Meter } from '@opentelemetry/api';
import { codeName, type WarmgateError } from '@warmgate/proto';

export type ApiOperation = 'create' | 'read' | 'claim' | 'mark_draining' | 'delete' | 'secret';

export interface RuntimeMetrics {
  /** A pod became ready after create(): how long the cluster took (schedule, pull, start). */
  podReady(profile: string, durationMs: number): void;
  /** A claim lost the race (409 or already claimed): expected with several pool managers. */
  claimConflict(): void;
  apiError(operation: ApiOperation, error: WarmgateError): void;
  watchRestart(): void;
}

const readyBuckets = [100, 250, 500, 1000, 2000, 5000, 10000, 20000, 30000, 60000, 120000];

export function createRuntimeMetrics(
  meter: Meter = metrics.getMeter('warmgate-pool-manager'),
): RuntimeMetrics {
  const ready = meter.createHistogram('warmgate_kubernetes_pod_ready_duration', {
    description: 'From pod create to Ready with an IP, as the watch saw it',
    unit: 'ms',
    advice: { explicitBucketBoundaries: readyBuckets },
  });
  const conflicts = meter.createCounter('warmgate_kubernetes_claim_conflicts', {
    description: 'Claims refused because another claimer changed the pod first',
  });
  const apiErrors = meter.createCounter('warmgate_kubernetes_api_errors', {
    description: 'Failed API server calls, by operation and Warmgate error code',
  });
  const restarts = meter.createCounter('warmgate_kubernetes_watch_restarts', {
    description: 'Pod watch restarts after an error',
  });
  return {
    podReady: (profile, durationMs) => ready.record(durationMs, { profile }),
    claimConflict: () => conflicts.add(1),
    apiError: (operation, error) => apiErrors.add(1, { operation, code: codeName(error.code) }),
    watchRestart: () => restarts.add(1),
  };
}
