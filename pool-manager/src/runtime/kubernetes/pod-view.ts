// How the runtime reads a pod: its phase, its claim and its endpoints, all from labels,
// annotations and status, so that a fresh pool manager sees exactly what the last one did.
import type { V1Pod } from '@kubernetes/client-node';
import type { ClaimRecord, Container, ContainerPhase } from '../runtime.js';
import {
  ANNOTATION_BINDING,
  ANNOTATION_CLAIMED_AT,
  ANNOTATION_MODE,
  ANNOTATION_TIER,
  ANNOTATION_USER,
  LABEL_PROFILE,
  LABEL_STATE,
} from './labels.js';
import type { TemplatePorts } from './pod-template.js';

export function podName(pod: V1Pod): string {
  return pod.metadata?.name ?? '';
}

export function isTerminating(pod: V1Pod): boolean {
  return pod.metadata?.deletionTimestamp != null;
}

/** The pod can never become (or stay) ready: its containers ended. */
export function hasFailed(pod: V1Pod): boolean {
  return pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded';
}

export function isReady(pod: V1Pod): boolean {
  if (pod.status?.phase !== 'Running' || !pod.status.podIP) return false;
  return pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

export function phaseOf(pod: V1Pod): ContainerPhase {
  const state = pod.metadata?.labels?.[LABEL_STATE];
  if (state === 'claimed') return 'claimed';
  if (state === 'draining') return 'draining';
  return isReady(pod) ? 'warm' : 'starting';
}

/** The claim the annotations record; the assertion key comes from the binding's Secret. */
export function claimOf(pod: V1Pod, assertionKey: string | undefined): ClaimRecord | undefined {
  const annotations = pod.metadata?.annotations ?? {};
  const userId = annotations[ANNOTATION_USER];
  const bindingId = annotations[ANNOTATION_BINDING];
  if (userId === undefined || bindingId === undefined || assertionKey === undefined)
    return undefined;
  return {
    userId,
    bindingId,
    tier: annotations[ANNOTATION_TIER] ?? '',
    mode: Number(annotations[ANNOTATION_MODE] ?? 0),
    claimedAt: Number(annotations[ANNOTATION_CLAIMED_AT] ?? 0),
    assertionKey,
  };
}

export function toContainer(pod: V1Pod, ports: TemplatePorts, assertionKey?: string): Container {
  const ip = pod.status?.podIP;
  // IPv6 pod IPs need brackets in URLs and host:port addresses.
  const host = ip === undefined ? '' : ip.includes(':') ? `[${ip}]` : ip;
  const claim = claimOf(pod, assertionKey);
  return {
    id: podName(pod),
    profile: pod.metadata?.labels?.[LABEL_PROFILE] ?? '',
    mcpUrl: host === '' ? '' : `http://${host}:${ports.mcp}/mcp`,
    lifecycleAddress: host === '' ? '' : `${host}:${ports.lifecycle}`,
    createdAt: createdAt(pod),
    phase: phaseOf(pod),
    ...(claim === undefined ? {} : { claim }),
  };
}

function createdAt(pod: V1Pod): number {
  const stamp = pod.metadata?.creationTimestamp as Date | string | undefined;
  if (stamp === undefined) return 0;
  return stamp instanceof Date ? stamp.getTime() : Date.parse(stamp);
}
