// The labels and annotations that make a pod's role durable in the API server. They are the
// only state the Kubernetes runtime keeps: after a restart, list() rebuilds everything from
// them, so a pool manager never holds a pod the cluster does not know about.
import { createHash } from 'node:crypto';

export const LABEL_PART_OF = 'app.kubernetes.io/part-of';
export const LABEL_COMPONENT = 'app.kubernetes.io/component';
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const LABEL_INSTANCE = 'app.kubernetes.io/instance';
export const LABEL_PROFILE = 'warmgate.dev/profile';
export const LABEL_STATE = 'warmgate.dev/state';
/** A hash of the user id: label values are limited to 63 safe characters, user ids are not. */
export const LABEL_USER = 'warmgate.dev/user';

export const ANNOTATION_BINDING = 'warmgate.dev/binding-id';
export const ANNOTATION_USER = 'warmgate.dev/user-id';
export const ANNOTATION_TIER = 'warmgate.dev/tier';
export const ANNOTATION_CLAIMED_AT = 'warmgate.dev/claimed-at';
/** warmgate.common.v1.AuthMode, as a number. */
export const ANNOTATION_MODE = 'warmgate.dev/auth-mode';

export const PART_OF = 'warmgate';
export const COMPONENT_AGENT = 'agent';
export const MANAGED_BY = 'warmgate-pool-manager';

export type PodState = 'warm' | 'claimed' | 'draining';

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export function isLabelValue(value: string): boolean {
  return value.length <= 63 && LABEL_VALUE.test(value);
}

/** The label value that marks a pod as a user's: stable, label-safe, not the raw id. */
export function userLabel(userId: string): string {
  return `u${createHash('sha256').update(userId).digest('hex').slice(0, 40)}`;
}

/** The labels every warm pod of this pool manager carries; `instance` separates releases. */
export function ownerLabels(instance: string | undefined): Record<string, string> {
  const labels: Record<string, string> = {
    [LABEL_PART_OF]: PART_OF,
    [LABEL_COMPONENT]: COMPONENT_AGENT,
    [LABEL_MANAGED_BY]: MANAGED_BY,
  };
  if (instance !== undefined) labels[LABEL_INSTANCE] = instance;
  return labels;
}

/** The label selector that finds exactly the pods `ownerLabels(instance)` marks. */
export function ownerSelector(instance: string | undefined): string {
  return Object.entries(ownerLabels(instance))
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
}
