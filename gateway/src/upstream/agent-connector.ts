// Finds the principal's agent: asks the pool manager for the user's binding, opens one
// long-lived MCP session to it, and shares that session between all of the user's gateway
// sessions (gateway and public modes). Direct mode never shares: each gateway session has its
// own MCP session carrying its own client credential, because the gateway routes direct-mode
// clients by an unverified hint and must never let one client ride on another's credential
// or context cache.
//
// An agent that stops answering (connection refused, session or binding gone) is dropped and
// re-acquired with stale_binding_id, so the pool manager replaces it if it is dead; the call
// that found it dead is retried once (it never ran).
import { ASSERTION_HEADER, CREDENTIAL_HEADER } from '@warmgate/contract';
import { errors, AuthMode, type poolv1 } from '@warmgate/proto';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type {
  AgentConnector,
  AgentHandle,
  CallOptions,
  ListenRequest,
  Listening,
  Principal,
  ToolDescriptor,
} from '../core/ports.js';
import { withDeadline } from '../core/deadline.js';
import { AgentConnection } from './agent-connection.js';
import { createAssertionSigner } from './assertion.js';
import {
  isInternalTool,
  toCallToolResponse,
  toReadResourceResponse,
  toToolDescriptor,
} from './mcp-convert.js';
import { AgentGoneError } from './mcp-errors.js';
import { acquireBinding, createPoolApi, type PoolApi } from './pool-client.js';
import { rememberRefusedCredentials } from './refused-credentials.js';
import { measureUserCall } from './user-call-metrics.js';

export interface AgentConnectorOptions {
  /** host:port of the pool manager's Pool service (ignored when `pool` is given). */
  readonly poolAddress?: string;
  /** The Pool deployment secret sent with `poolAddress` calls. */
  readonly poolSecret?: string;
  /** A Pool client to use instead of dialling `poolAddress` (not closed by close()). */
  readonly pool?: PoolApi;
  /** Per MCP call when the caller sets no timeoutMs (default 30 s). */
  readonly callTimeoutMs?: number;
  /** Acquire + MCP initialize (default 30 s: a cold start takes seconds). */
  readonly connectTimeoutMs?: number;
  /** Touch the binding at most this often per user (default 30 s). */
  readonly touchIntervalMs?: number;
  /** Lifetime of one user assertion (default 120 s; the agent accepts ≤ 300). */
  readonly assertionTtlS?: number;
  readonly now?: () => number;
}

export interface ClosableAgentConnector extends AgentConnector {
  /** Closes every MCP session (and the pool client this connector dialled). */
  close(): Promise<void>;
}

interface Upstream {
  readonly key: string;
  readonly binding: poolv1.Binding;
  readonly connection: AgentConnection;
  /** Gateway sessions using this upstream; it closes when the last one has gone. */
  readonly sessions: Set<string>;
  /** Calls in flight (a cancelled turn still saves after its session has gone). */
  inflight: number;
  lastTouch: number;
}

export function createAgentConnector(options: AgentConnectorOptions): ClosableAgentConnector {
  if (!options.pool && !options.poolAddress) {
    throw errors.invalidArgument('createAgentConnector needs poolAddress or pool');
  }
  const ownPool = options.pool
    ? undefined
    : createPoolApi(options.poolAddress!, options.poolSecret);
  // A forged direct-mode credential costs one pool-manager verification a minute, not one a request.
  const pool: PoolApi = rememberRefusedCredentials(options.pool ?? ownPool!);
  const callTimeoutMs = options.callTimeoutMs ?? 30_000;
  const connectTimeoutMs = options.connectTimeoutMs ?? 30_000;
  const touchIntervalMs = options.touchIntervalMs ?? 30_000;
  const assertionTtlS = options.assertionTtlS ?? 120;
  const now = options.now ?? Date.now;
  const upstreams = new Map<string, Upstream>();
  const pending = new Map<string, Promise<Upstream>>();
  const descriptors = new WeakMap<Tool[], ToolDescriptor[]>();

  const keyOf = (p: Principal) =>
    p.mode === AuthMode.DIRECT ? `direct:${p.sessionId}` : `user:${p.userId}`;

  async function ensure(principal: Principal, signal: AbortSignal, stale = ''): Promise<Upstream> {
    const key = keyOf(principal);
    const current = upstreams.get(key);
    if (current && !current.connection.isClosed) return current;
    let starting = pending.get(key);
    if (!starting) {
      // A replacement serves the sessions of the upstream it replaces.
      const sessions = new Set(current?.sessions);
      if (current) {
        stale ||= current.binding.bindingId;
        void drop(current);
      }
      // Shared by every caller for this key, so it is bounded by its own deadline, not theirs.
      starting = open(principal, key, stale, sessions).finally(() => pending.delete(key));
      pending.set(key, starting);
    }
    return withDeadline(signal, undefined, 'connecting to the agent', () => starting!);
  }

  async function open(
    principal: Principal,
    key: string,
    stale: string,
    sessions: Set<string>,
  ): Promise<Upstream> {
    const signal = AbortSignal.timeout(connectTimeoutMs);
    const acquire = (staleId: string) =>
      acquireBinding(pool, principal, staleId, { signal, timeoutMs: connectTimeoutMs });
    let binding = await acquire(stale);
    let connection: AgentConnection;
    try {
      connection = await connect(principal, binding, signal);
    } catch (error) {
      // Bound a moment ago and already not answering: let the pool manager check it once.
      if (!(error instanceof AgentGoneError) || stale === binding.bindingId) throw error;
      binding = await acquire(binding.bindingId);
      connection = await connect(principal, binding, signal);
    }
    const upstream: Upstream = {
      key,
      binding,
      connection,
      sessions,
      inflight: 0,
      lastTouch: now(),
    };
    upstreams.set(key, upstream);
    return upstream;
  }

  function connect(principal: Principal, binding: poolv1.Binding, signal: AbortSignal) {
    // A closed connection stays in `upstreams` until the next call, which re-acquires with
    // its binding id as stale_binding_id.
    return AgentConnection.open(
      {
        url: binding.mcpUrl,
        mode: principal.mode,
        headers: trustHeaders(principal, binding),
        callTimeoutMs,
      },
      signal,
    );
  }

  function trustHeaders(principal: Principal, binding: poolv1.Binding) {
    if (principal.mode === AuthMode.DIRECT) {
      const credential = principal.credential;
      if (!credential) throw errors.unauthenticated('a direct-mode session carries no credential');
      const headers = { [CREDENTIAL_HEADER]: credential };
      return async () => headers;
    }
    const signer = createAssertionSigner({
      key: binding.assertionKey,
      userId: principal.userId,
      bindingId: binding.bindingId,
      ttlS: assertionTtlS,
      now,
    });
    return async () => ({ [ASSERTION_HEADER]: await signer.current() });
  }

  async function drop(upstream: Upstream): Promise<void> {
    if (upstreams.get(upstream.key) === upstream) upstreams.delete(upstream.key);
    await upstream.connection.close();
    // An anonymous user's container goes back as soon as their last session has gone: the
    // public profile is small and capped, and nobody comes back to an anonymous id.
    if (upstream.binding.mode === AuthMode.PUBLIC && pool.release) {
      const { userId, bindingId } = upstream.binding;
      await pool.release({ userId, bindingId }, { timeoutMs: 5_000 }).catch(() => undefined);
    }
  }

  function touch(upstream: Upstream): void {
    if (now() - upstream.lastTouch < touchIntervalMs) return;
    upstream.lastTouch = now();
    const { userId, bindingId } = upstream.binding;
    pool
      .touch({ userId, bindingId }, { timeoutMs: 5_000 })
      .then((response) => {
        // Reaped or released: the next call acquires again.
        if (!response.bound) void drop(upstream);
      })
      .catch(() => {}); // a missed touch is retried on the next activity
  }

  async function withUpstream<T>(
    principal: Principal,
    options: CallOptions,
    op: (connection: AgentConnection) => Promise<T>,
  ): Promise<T> {
    const first = await ensure(principal, options.signal);
    touch(first);
    try {
      return await using(first, op);
    } catch (error) {
      if (!(error instanceof AgentGoneError) || options.signal.aborted) throw error;
      first.connection.markDead();
      return using(await ensure(principal, options.signal, first.binding.bindingId), op);
    }
  }

  async function using<T>(upstream: Upstream, op: (c: AgentConnection) => Promise<T>): Promise<T> {
    upstream.inflight++;
    try {
      return await op(upstream.connection);
    } finally {
      upstream.inflight--;
      closeIfUnused(upstream);
    }
  }

  /** Closes an upstream no gateway session uses any more, once its last call has finished. */
  function closeIfUnused(upstream: Upstream): void {
    if (upstream.sessions.size === 0 && upstream.inflight === 0) void drop(upstream);
  }

  function handleFor(principal: Principal, binding: poolv1.Binding): AgentHandle {
    const run = <T>(o: CallOptions, op: (c: AgentConnection) => Promise<T>) =>
      withUpstream(principal, o, op);
    return {
      tier: binding.tier,
      listTools: (o) => run(o, async (c) => userTools(await c.allTools(o))),
      callTool: (name, args, o) =>
        measureUserCall(name, () =>
          run(o, async (c) => toCallToolResponse(await c.callTool(name, args, o))),
        ),
      readResource: (uri, o) =>
        run(o, async (c) => toReadResourceResponse(await c.readResource(uri, o))),
      context: (o) => run(o, (c) => c.context.get(o.signal)),
      verify: (o) => run(o, (c) => c.ping(o)),
      appendTurn: (turn, o) => run(o, (c) => c.appendTurn(turn, o)),
      subscribe: (uri, subscriber, o) => run(o, (c) => c.subscribe(uri, subscriber, o)),
      unsubscribe: (uri, subscriber, o) => run(o, (c) => c.unsubscribe(uri, subscriber, o)),
      cancel: (callName, reason, o) => run(o, (c) => c.cancel(callName, reason)),
      listen: (request, onUpdated, signal) => listen(principal, request, onUpdated, signal),
    };
  }

  /**
   * A notification channel: an MCP session of its own to the user's agent, so its stream
   * carries only what this listener asked for (the shared session's stream feeds the context
   * cache). It holds the upstream open like a call in flight until the signal aborts.
   */
  async function listen(
    principal: Principal,
    request: ListenRequest,
    onUpdated: (uri: string) => void,
    signal: AbortSignal,
  ): Promise<Listening> {
    const upstream = await ensure(principal, signal);
    let ended: () => void = () => {};
    const ending = new Promise<void>((resolve) => (ended = resolve));
    const connection = await AgentConnection.open(
      {
        url: upstream.binding.mcpUrl,
        mode: principal.mode,
        headers: trustHeaders(principal, upstream.binding),
        callTimeoutMs,
        subscriber: request.subscriber,
        onResourceUpdated: onUpdated,
        onClosed: () => ended(),
      },
      AbortSignal.any([signal, AbortSignal.timeout(connectTimeoutMs)]),
    );
    upstream.inflight++;
    const closed = (async () => {
      await ending;
      await connection.close();
      upstream.inflight--;
      closeIfUnused(upstream);
    })();
    if (signal.aborted) ended();
    else signal.addEventListener('abort', () => ended(), { once: true });
    try {
      const options = { signal, timeoutMs: callTimeoutMs };
      for (const uri of request.uris) await connection.subscribe(uri, undefined, options);
      await withDeadline(
        AbortSignal.any([signal, AbortSignal.timeout(connectTimeoutMs)]),
        undefined,
        'opening the notification stream',
        () => connection.streamOpen,
      );
    } catch (error) {
      ended();
      await closed;
      throw error instanceof Error && error.message.startsWith('notification stream refused')
        ? errors.unavailable(`the agent offers no notification stream (${error.message})`)
        : error;
    }
    return { closed };
  }

  function userTools(tools: Tool[]): ToolDescriptor[] {
    let converted = descriptors.get(tools);
    if (!converted) {
      converted = tools.filter((t) => !isInternalTool(t)).map(toToolDescriptor);
      descriptors.set(tools, converted);
    }
    return converted;
  }

  return {
    async connect(principal, callOptions) {
      const upstream = await ensure(principal, callOptions.signal);
      upstream.sessions.add(principal.sessionId);
      return handleFor(principal, upstream.binding);
    },
    disconnect(principal) {
      const upstream = upstreams.get(keyOf(principal));
      if (!upstream) return;
      upstream.sessions.delete(principal.sessionId);
      closeIfUnused(upstream);
    },
    async close() {
      await Promise.all([...upstreams.values()].map(drop));
      ownPool?.close();
    },
  };
}
