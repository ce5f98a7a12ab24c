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

/**
 * Any id an identity provider may issue ("auth0|123", an e-mail) is a valid user id; the
 * store maps ids to safe file names itself. Only the empty, the huge and the unprintable are
 * refused: the user-id rule of @warmgate/contract, which the agent applies on bind too.
 */
export { isValidUserId } from '@warmgate/contract/user-id';
