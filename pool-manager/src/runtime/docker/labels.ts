// Labels on every container the Docker runtime makes. Labels are fixed at create time, so they
// say what a container IS (role, pool, id, process); what happens to it later (claimed,
// draining) is recorded in the pool manager's own folder (see docker-runtime.ts).
import { createHash } from 'node:crypto';

export const ROLE = 'warmgate.io/role';
/** Which pool manager's containers (a hash of its state folder): two pools never mix. */
export const POOL = 'warmgate.io/pool';
export const CONTAINER = 'warmgate.io/container';
export const PROCESS = 'warmgate.io/process';
export const PROFILE = 'warmgate.io/profile';

export type ProcessRole = 'agent' | 'sidecar';

export function poolLabel(stateDir: string): string {
  return createHash('sha256').update(stateDir).digest('hex').slice(0, 16);
}

export function dockerName(id: string, role: ProcessRole): string {
  return `warmgate-${id}-${role}`;
}
