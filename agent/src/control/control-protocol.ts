// The commands the Lifecycle service gives the data plane of its container (bind, drain,
// status), and what they answer: in-process calls since the agent's HTTP control API went
// (issue 14).

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

/** What the Lifecycle service drives: the data plane (`sidecar/data-plane/data-plane.ts`). */
export interface ControlClient {
  bind(command: BindCommand): Promise<AgentStatus>;
  drain(command: DrainCommand, signal?: AbortSignal): Promise<DrainResult>;
  status(signal?: AbortSignal): Promise<AgentStatus>;
  close(): void;
  /**
   * The bind was answered: one MCP session of the sidecar's own is opened with the agent and
   * closed, so the agent's first-request work (taking the workspace, setting up a session, its
   * first run of that code) is done while the pool manager and the gateway pass the binding on,
   * not after the gateway's initialize arrives; then what checking requests needs is loaded.
   * Failures are the first real request's to report.
   */
  rehearse?(): Promise<void>;
}
