// What the pool core needs from a place that runs agent containers. Three implementations:
// local processes (runtime/local), Docker containers (runtime/docker) and Kubernetes pods
// (runtime/kubernetes). The interface
// lives in the pool core because the core may import no runtime code; runtime/runtime.ts
// re-exports it for the implementations.

/** A profile = what a container is made from (image/template) and its resources. Tiers map to profiles. */
export interface Profile {
  readonly name: string;
  /** Local runtime: extra env for the agent processes. Kubernetes: the pod template name/values. */
  readonly template?: Readonly<Record<string, string>>;
  /**
   * The agent: `typescript` (default; Warmgate's agent in role `mcp`, a plain MCP server
   * behind the sidecar's data plane on every runtime), `typescript-mcp` (its alias), or a name from
   * WARMGATE_POOL_AGENT_COMMANDS (any MCP server, same data plane).
   */
  readonly agent?: string;
  readonly resources?: { readonly cpu?: string; readonly memory?: string };
}

export type ContainerPhase = 'starting' | 'warm' | 'claimed' | 'draining';

/** One agent container (agent + sidecar) as the runtime knows it. */
export interface Container {
  /** Unique and stable across pool-manager restarts (local: folder name; Kubernetes: pod name). */
  readonly id: string;
  readonly profile: string;
  /** The agent's MCP Streamable HTTP endpoint (empty while starting). */
  readonly mcpUrl: string;
  /**
   * host:port of the sidecar's Lifecycle gRPC server. Empty while starting, or when list()
   * found its processes gone: such a container can only be destroyed.
   */
  readonly lifecycleAddress: string;
  readonly createdAt: number;
  readonly phase: ContainerPhase;
  /** Set once claimed; recorded durably (local: state file; Kubernetes: labels/annotations). */
  readonly claim?: ClaimRecord;
  /**
   * Set by a claim that copied the claimant's repository into the container's own folder
   * (Docker): the copy's path as the sidecar sees it. The bind restores from it
   * (`Repository.copy_path`) instead of fetching the repository over the network.
   */
  readonly repositoryCopy?: string;
}

export interface ClaimRecord {
  readonly userId: string;
  readonly bindingId: string;
  readonly tier: string;
  /** AuthMode number (warmgate.common.v1.AuthMode). */
  readonly mode: number;
  readonly claimedAt: number;
  /**
   * The binding's assertion key (base64). Kept with the claim so a restarted pool manager can
   * hand the same binding back; it is a secret (local: a 0600 file; Kubernetes: a Secret owned
   * by the pod, never a label or annotation).
   */
  readonly assertionKey: string;
}

export interface CreateOptions {
  /**
   * A replacement for the warm pool, which nobody waits for: the runtime may start it at a
   * lower CPU weight than the containers in use (local: runtime/local/start-priority.ts).
   */
  readonly background?: boolean;
}

export interface Runtime {
  readonly kind: 'local' | 'kubernetes' | 'docker';
  /** Creates a container and resolves once both processes are ready to serve. */
  create(profile: Profile, signal?: AbortSignal, options?: CreateOptions): Promise<Container>;
  /**
   * Marks a warm container as claimed, atomically: if another claimer (a second pool manager,
   * a retry) got there first, rejects with WarmgateError ABORTED and changes nothing.
   */
  claim(id: string, claim: ClaimRecord): Promise<Container>;
  /** Records that the container is draining (so a restart knows not to hand it out). */
  markDraining(id: string): Promise<void>;
  /** Destroys the container and everything it left behind. Idempotent. */
  destroy(id: string): Promise<void>;
  /** Every container this runtime owns, including ones an earlier pool-manager instance left. */
  list(): Promise<Container[]>;
  /**
   * Tells `listener` the id of each container that dies on its own (not through destroy) as
   * soon as the runtime hears of it: Docker's event stream, a local process's exit. Optional:
   * without it, a dead warm container is found by the health check on borrow. Returns the
   * unsubscribe.
   */
  onDeath?(listener: (id: string) => void): () => void;
  /** Releases runtime resources (watches, timers); does not destroy containers. */
  close(): Promise<void>;
}
