// The agent's control API (`/_lifecycle/`), spoken only by the sidecar of the same container
// with the container-local bearer token. JSON over HTTP; errors are
// `{"error":{"code":"<ErrorCode name>","message":"..."}}` with a matching HTTP status.
export const CONTROL_PREFIX = '/_lifecycle/';

export const controlPaths = {
  bind: `${CONTROL_PREFIX}bind`,
  drain: `${CONTROL_PREFIX}drain`,
  status: `${CONTROL_PREFIX}status`,
  /** A bind is coming: load what a bound agent needs (answers at once; the load goes on). */
  prepare: `${CONTROL_PREFIX}prepare`,
} as const;

export type AgentStateName = 'warm' | 'binding' | 'bound' | 'draining' | 'drained';

export interface BindCommand {
  bindingId: string;
  userId: string;
  tier: string;
  /** AuthMode number (warmgate.common.v1.AuthMode). */
  mode: number;
  /** base64url of the binding's assertion key. */
  assertionKey: string;
  repository: { url: string; credential: string; ephemeral: boolean };
}

export interface DrainCommand {
  bindingId: string;
}

export interface DrainResult {
  headCommit: string;
  pushed: boolean;
}

export interface AgentStatus {
  state: AgentStateName;
  bindingId: string;
  userId: string;
  tier: string;
  mode: number;
  /** ms since the epoch; 0 = never. */
  lastActivityMs: number;
  unsavedChanges: number;
  inFlight: number;
  headCommit: string;
  /** MCP sessions open on the agent (status answers only; absent elsewhere). */
  mcpSessions?: number;
}
