// warmgate.agent.v1.Lifecycle: Bind restores the user's repository into the empty workspace
// and then hands the binding to the agent; Drain and GetStatus are forwarded to the agent,
// which owns the workspace from then on. Binds are serialised: a repeated Bind with the same
// binding id (a retry) gets the same answer; any other Bind on a bound container is refused.
// Once a Bind is answered, while the pool manager and the gateway pass the binding on, the data
// plane rehearses one MCP session with the agent, so the gateway's first requests do not pay
// for the agent's first run (docs/architecture.md, "Warm claim"). Nothing is added to the Bind.
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { AuthMode, agentv1, errors } from '@warmgate/proto';
import type { ServiceImpl } from '@warmgate/proto/grpc';
import type { AgentStateName, AgentStatus, ControlClient } from '../control/control-protocol.js';
import { inSpan } from '../telemetry/spans.js';
import { restoreWorkspace } from '../workspace/restore.js';

export interface LifecycleOptions {
  workspaceDir: string;
  templatePath: string;
  control: ControlClient;
  drainTimeoutMs: number;
  /** The largest git object a bind's checkout inflates. */
  maxObjectBytes?: number;
  now?: () => number;
}

interface BindResponse {
  headCommit: string;
  created: boolean;
  durationMs: number;
}

export interface LifecycleHandle {
  impl: ServiceImpl<typeof agentv1.Lifecycle>;
  /** The binding id this sidecar bound, if any (SIGTERM drains it). */
  boundBindingId(): string | undefined;
}

export function createLifecycleService(options: LifecycleOptions): LifecycleHandle {
  const now = options.now ?? Date.now;
  let bound: { bindingId: string; userId: string; response: Promise<BindResponse> } | undefined;
  /** True while a bind restores the workspace (the agent itself still says warm then). */
  let restoring = false;

  async function bind(request: agentv1.BindRequest): Promise<BindResponse> {
    const started = now();
    if (!request.bindingId) throw errors.invalidArgument('binding_id is empty');
    if (!request.userId) throw errors.invalidArgument('user_id is empty');
    const repository = request.repository;
    if (!repository?.url && !repository?.ephemeral) {
      throw errors.invalidArgument('repository.url is empty');
    }
    const restored = await inSpan('sidecar restore', {}, () =>
      restoreWorkspace(
        {
          url: repository.url,
          credential: repository.credential,
          ephemeral: repository.ephemeral || request.mode === AuthMode.PUBLIC,
          copyPath: repository.copyPath,
        },
        options.workspaceDir,
        options.templatePath,
        {
          maxObjectBytes: options.maxObjectBytes,
          onStaleLocks: (paths) =>
            process.stderr.write(
              `sidecar: bind ${request.bindingId}: removed lock files a killed git left in the store: ${paths.join(', ')}\n`,
            ),
        },
      ),
    );
    const status = await options.control.bind({
      bindingId: request.bindingId,
      userId: request.userId,
      tier: request.tier,
      mode: request.mode,
      assertionKey: Buffer.from(request.assertionKey).toString('base64url'),
      repository: {
        url: repository.url,
        credential: repository.credential,
        ephemeral: repository.ephemeral || request.mode === AuthMode.PUBLIC,
      },
    });
    return {
      headCommit: status.headCommit || restored.head,
      created: restored.created,
      durationMs: Math.max(0, now() - started),
    };
  }

  const impl: ServiceImpl<typeof agentv1.Lifecycle> = {
    bind(request) {
      if (bound) {
        if (bound.bindingId === request.bindingId && bound.userId === request.userId) {
          return bound.response;
        }
        return Promise.reject(
          errors.failedPrecondition(
            `container is bound (binding ${bound.bindingId}); it is never bound to anyone else`,
          ),
        );
      }
      restoring = true;
      const response = bind(request).finally(() => (restoring = false));
      response.then(
        // A turn later: the answer is on the wire first.
        () => setImmediate(() => rehearse(options.control)),
        () => {},
      );
      bound = { bindingId: request.bindingId, userId: request.userId, response };
      // A bind that failed before the agent took it leaves nothing behind but the workspace
      // files; the pool manager destroys such a container rather than retrying into it.
      response.catch(() => {});
      return response;
    },
    async drain(request, context) {
      // Draining is final: only a caller that knows which binding it ends may ask for it.
      if (!request.bindingId) throw errors.invalidArgument('binding_id is empty');
      const result = await options.control.drain({ bindingId: request.bindingId }, context.signal);
      return result;
    },
    async getStatus(_request, context) {
      const status = await options.control.status(context.signal);
      return toStatusResponse(
        restoring && status.state === 'warm' ? { ...status, state: 'binding' } : status,
      );
    },
  };
  return { impl, boundBindingId: () => bound?.bindingId };
}

function rehearse(control: ControlClient): void {
  void control.rehearse?.().catch(() => {}); // the first real request reports a failure
}

const STATES: Record<AgentStateName, agentv1.AgentState> = {
  warm: agentv1.AgentState.WARM,
  binding: agentv1.AgentState.BINDING,
  bound: agentv1.AgentState.BOUND,
  draining: agentv1.AgentState.DRAINING,
  drained: agentv1.AgentState.DRAINED,
};

function toStatusResponse(status: AgentStatus) {
  return {
    state: STATES[status.state] ?? agentv1.AgentState.UNSPECIFIED,
    bindingId: status.bindingId,
    userId: status.userId,
    tier: status.tier,
    mode: status.mode as AuthMode,
    lastActivity: status.lastActivityMs ? timestampFromMs(status.lastActivityMs) : undefined,
    unsavedChanges: status.unsavedChanges,
    inFlight: status.inFlight,
    headCommit: status.headCommit,
  };
}
