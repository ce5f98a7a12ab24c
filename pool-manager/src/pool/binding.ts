import type { AuthMode } from '@warmgate/proto';
import type { Container } from './runtime-port.js';

/** A user bound to a container: what Acquire returns and the reaper watches. */
export interface Binding {
  readonly bindingId: string;
  readonly userId: string;
  readonly tier: string;
  readonly mode: AuthMode;
  readonly profile: string;
  readonly container: Container;
  readonly mcpUrl: string;
  readonly assertionKey: Uint8Array;
  readonly boundAt: number;
  /** Last activity we know of: gateway touches and the agent's own last_activity. */
  lastActivity: number;
  state: 'bound' | 'draining';
}

export type AcquireSourceName = 'existing' | 'warm' | 'cold';

export interface AcquireResult {
  readonly binding: Binding;
  readonly source: AcquireSourceName;
  readonly durationMs: number;
}

export interface AcquireInput {
  readonly userId: string;
  readonly tier: string;
  readonly mode: AuthMode;
  readonly staleBindingId?: string;
}

/** User ids name repositories and files: keep them to a safe alphabet. */
const userIdPattern = /^[A-Za-z0-9_@.+-]{1,128}$/;

export function isValidUserId(userId: string): boolean {
  return userIdPattern.test(userId) && !userId.startsWith('.');
}
