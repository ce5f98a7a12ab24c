// The sidecar as the data plane in front of any MCP server (issue 14): it holds the binding
// (the agent is never told), checks every request's assertion or direct-mode credential,
// forwards MCP to the agent of the same container, and makes each write durable itself —
// after every tools/call whose tool is not readOnlyHint it commits the workspace as the user
// and pushes before the result goes back (workspace/committer.ts). It implements the
// ControlClient the Lifecycle service already speaks, so Bind/Drain/GetStatus are unchanged.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { COMMIT_MESSAGE_META, COMMIT_META } from '@warmgate/contract/meta-keys';
import { AuthMode, WarmgateError, errors } from '@warmgate/proto';
import type { DirectVerifier } from '@warmgate/contract/direct-credential';
import type {
  AgentStateName,
  AgentStatus,
  BindCommand,
  ControlClient,
  DrainResult,
} from '../../control/control-protocol.js';
import type { authorize as Authorize } from '../../auth/authorize.js';
import { toolErrorResult } from '../../mcp/error-codes.js';
import type { Binding } from '../../server/agent-core.js';
import { header } from '../../server/http-util.js';
import { traceHeaders } from '../../telemetry/spans.js';
import { validateUserId } from '@warmgate/contract/user-id';
import {
  agentFault,
  forwardedHeaders,
  isAgentFault,
  type AgentLink,
  type AgentResponse,
} from './agent-link.js';
import { passThrough, pipe, readBody, refuse, send, sendJsonRpc } from './http-answers.js';
import {
  encodeMessages,
  messagesOf,
  readOnlyHints,
  responseTo,
  singleRequest,
  type JsonRpcMessage,
} from './mcp-messages.js';
import { WorkspaceCommitter, type Written } from '../../workspace/committer.js';

const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

export interface DataPlaneOptions {
  workspaceDir: string;
  link: AgentLink;
  direct: DirectVerifier;
  drainTimeoutMs: number;
  /** Checks the agent answers MCP (an initialize); throws when it does not. */
  probe(): Promise<void>;
  /** One MCP session opened and closed with the bound agent (ControlClient.rehearse). */
  rehearse?(): Promise<void>;
  now?: () => number;
}

export interface DataPlane {
  /** The Lifecycle service's view of the agent (bind, drain, status). */
  control: ControlClient;
  /** `/mcp` for the gateway. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Set when the agent failed (crash, hang, malformed MCP): GetStatus then fails. */
  unhealthy(): string | undefined;
  /** warm, binding, bound, draining or drained. */
  state(): AgentStateName;
}

export function createDataPlane(options: DataPlaneOptions): DataPlane {
  const now = options.now ?? Date.now;
  let state: AgentStateName = 'warm';
  let binding: Binding | undefined;
  let committer: WorkspaceCommitter | undefined;
  let drained: DrainResult | undefined;
  let inFlight = 0;
  let lastActivityMs = 0;
  let fault: string | undefined;
  const idleWaiters = new Set<() => void>();
  /** tool name → readOnlyHint, learned from the agent's tools/list answers. */
  const readOnly = new Map<string, boolean>();

  const markFault = (error: unknown) => {
    if (isAgentFault(error)) fault ??= WarmgateError.from(error).message;
  };

  async function track<T>(work: () => Promise<T>): Promise<T> {
    inFlight++;
    lastActivityMs = now();
    try {
      return await work();
    } finally {
      inFlight--;
      lastActivityMs = now();
      if (inFlight === 0) for (const wake of idleWaiters) wake();
    }
  }

  function serving(): { binding: Binding; committer: WorkspaceCommitter } {
    if (state === 'bound' && binding && committer) return { binding, committer };
    if (state === 'warm' || state === 'binding') {
      throw errors.unavailable('agent is not bound to a user yet (warm container)');
    }
    throw errors.unavailable(`agent is ${state}: it accepts no new work`);
  }

  function status(): AgentStatus {
    return {
      state,
      bindingId: binding?.bindingId ?? '',
      userId: binding?.userId ?? '',
      tier: binding?.tier ?? '',
      mode: binding?.mode ?? AuthMode.UNSPECIFIED,
      lastActivityMs,
      unsavedChanges: committer?.unsavedChanges ?? 0,
      inFlight,
      headCommit: committer?.head ?? '',
    };
  }

  const control: ControlClient = {
    async bind(command: BindCommand) {
      if (binding) {
        if (binding.bindingId === command.bindingId) return status();
        throw errors.failedPrecondition(
          `agent is already bound (binding ${binding.bindingId}); it is never re-bound`,
        );
      }
      if (state !== 'warm') throw errors.failedPrecondition(`agent is ${state}; cannot bind`);
      validateUserId(command.userId);
      const assertionKey = Buffer.from(command.assertionKey, 'base64url');
      if (command.mode !== AuthMode.DIRECT && assertionKey.length < 16) {
        throw errors.invalidArgument('assertion_key must be at least 16 bytes');
      }
      state = 'binding';
      try {
        const opened = new WorkspaceCommitter({
          dir: options.workspaceDir,
          userId: command.userId,
          repository: command.repository,
        });
        await opened.open();
        committer = opened;
        binding = {
          bindingId: command.bindingId,
          userId: command.userId,
          tier: command.tier,
          mode: command.mode as AuthMode,
          assertionKey: new Uint8Array(assertionKey),
        };
        state = 'bound';
        lastActivityMs = now();
      } catch (error) {
        state = 'warm';
        throw error;
      }
      return status();
    },
    async drain({ bindingId }) {
      if (drained) return drained;
      if (!binding || !committer) {
        state = 'drained';
        return (drained = { headCommit: '', pushed: false });
      }
      if (bindingId !== binding.bindingId) {
        throw errors.failedPrecondition(
          `drain for binding ${bindingId}, but the sidecar serves ${binding.bindingId}`,
        );
      }
      state = 'draining';
      await waitIdle(options.drainTimeoutMs);
      const { head, pushed } = await committer.flush();
      state = 'drained';
      return (drained = { headCommit: head, pushed });
    },
    async status() {
      if (fault) throw errors.unavailable(`agent unhealthy: ${fault}`);
      if (state === 'warm' || state === 'bound') {
        // Healthy only if the agent answers: a warm one before it is handed out (the pool's
        // testOnBorrow), a bound one when the pool asks whether it still serves (a hung or
        // dead agent is then replaced, as when the agent answered GetStatus itself).
        await options.probe().catch((error: unknown) => {
          markFault(error);
          throw error;
        });
      }
      return status();
    },
    close: () => options.link.close(),
    async rehearse() {
      if (state !== 'bound') return;
      try {
        await options.rehearse?.();
      } finally {
        loadChecker().catch(() => (checker = undefined));
      }
    },
  };

  function waitIdle(timeoutMs: number): Promise<void> {
    if (inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        idleWaiters.delete(done);
        resolve();
      };
      // Past the timeout the final push still carries every acknowledged write.
      const timer = setTimeout(done, timeoutMs);
      idleWaiters.add(done);
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const current = serving();
      await authorize(req, current.binding);
      const headers = forwardedHeaders(req.headers, traceHeaders());
      if (req.method !== 'POST') {
        await pipe(res, await options.link.open(req.method ?? 'GET', headers));
        return;
      }
      const raw = await readBody(req);
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw.toString('utf8'));
      } catch (cause) {
        throw errors.invalidArgument('request body is not JSON', cause);
      }
      const request = singleRequest(parsed);
      if (request?.method === 'tools/call') {
        const name = String(request.params?.name ?? '');
        if (readOnly.get(name) === true) {
          await track(() => relay(res, headers, raw));
          return;
        }
        if (current.binding.mode === AuthMode.PUBLIC) {
          // A tool error, not an HTTP refusal: the gateway would take a 403 for a dead agent.
          const refusal = errors.permissionDenied(
            `tool ${name} writes; public sessions are read-only`,
          );
          sendJsonRpc(res, req.headers, {
            jsonrpc: '2.0',
            id: request.id,
            result: toolErrorResult(refusal),
          });
          return;
        }
        await track(() => writeCall(res, headers, raw, request.id, name, current.committer));
        return;
      }
      if (request?.method === 'tools/list') {
        await track(() => toolsList(res, headers, raw, request.id, current.binding.mode));
        return;
      }
      await track(() => relay(res, headers, raw));
    } catch (error) {
      markFault(error);
      refuse(res, error);
    }
  }

  /** Loaded on the first request (a warm sidecar carries no JWT code), then kept. */
  let checker: Promise<{ authorize: typeof Authorize }> | undefined;
  let check: typeof Authorize | undefined;
  const loadChecker = () => (checker ??= import('../../auth/authorize.js'));

  async function authorize(req: IncomingMessage, bound: Binding): Promise<void> {
    check ??= (await loadChecker()).authorize;
    await check((name) => header(req, name), bound, options.direct);
    lastActivityMs = now();
  }

  /**
   * Forwards a request whose answer needs no look (reads, notifications, initialize): passed
   * through as it arrives, never parsed, within the agent timeout (a hung agent is caught on
   * reads too; an answer cut off is the agent's fault).
   */
  async function relay(res: ServerResponse, headers: Record<string, string>, body: Buffer) {
    if (!options.link.stream) {
      const answer = await options.link.call('POST', headers, body, MAX_ANSWER_BYTES);
      send(res, answer.status, answer.headers, answer.body);
      return;
    }
    const answer = await options.link.stream('POST', headers, body);
    try {
      await passThrough(res, answer.response, MAX_ANSWER_BYTES);
    } catch (error) {
      res.destroy();
      throw answer.timedOut()
        ? agentFault(errors.deadlineExceeded('the agent did not finish its answer within its time'))
        : agentFault(
            error instanceof WarmgateError
              ? error
              : errors.unavailable('the agent dropped the connection mid-answer', error),
          );
    } finally {
      answer.release();
    }
  }

  async function toolsList(
    res: ServerResponse,
    headers: Record<string, string>,
    body: Buffer,
    id: unknown,
    mode: AuthMode,
  ) {
    const answer = await options.link.call('POST', headers, body, MAX_ANSWER_BYTES);
    const messages = messagesOf(String(answer.headers['content-type'] ?? ''), answer.body);
    const response = messages && responseTo(messages, id as never);
    if (!response?.result) {
      send(res, answer.status, answer.headers, answer.body);
      return;
    }
    for (const [name, hint] of readOnlyHints(response.result)) readOnly.set(name, hint);
    if (mode !== AuthMode.PUBLIC) {
      send(res, answer.status, answer.headers, answer.body);
      return;
    }
    // Public mode: only read-only tools exist for the client.
    const tools = (response.result.tools as { name: string }[]).filter((tool) =>
      readOnly.get(tool.name),
    );
    sendJsonRpc(res, answer.headers, { ...response, result: { ...response.result, tools } });
  }

  async function writeCall(
    res: ServerResponse,
    headers: Record<string, string>,
    body: Buffer,
    id: unknown,
    name: string,
    commits: WorkspaceCommitter,
  ) {
    let written: Written<{ reply: AgentResponse; messages: JsonRpcMessage[] }>;
    try {
      written = await commits.write(async () => {
        const reply = await options.link.call('POST', headers, body, MAX_ANSWER_BYTES);
        const messages = messagesOf(String(reply.headers['content-type'] ?? ''), reply.body);
        const response = messages && responseTo(messages, id as never);
        if (reply.status === 200 && !response) {
          throw agentMalformed(`the agent's answer to tools/call ${name} is not MCP`);
        }
        const failed =
          reply.status !== 200 || !response?.result || response.result.isError === true;
        return {
          result: { reply, messages: messages ?? [] },
          failed,
          message: commitMessage(name, response?.result),
        };
      });
    } catch (error) {
      markFault(error);
      if (isAgentFault(error)) throw error; // an HTTP failure: the gateway replaces the agent
      // Committed but not stored (or not committable): a retryable tool error, never INTERNAL.
      sendJsonRpc(res, {}, { jsonrpc: '2.0', id: id as never, result: toolErrorResult(error) });
      return;
    }
    const { reply, messages } = written.result;
    const response = responseTo(messages, id as never);
    if (!written.committed || !response?.result) {
      send(res, reply.status, reply.headers, reply.body);
      return;
    }
    // The commit the write landed in, for the client (the agent cannot know it).
    response.result._meta = {
      ...(response.result._meta as Record<string, unknown> | undefined),
      [COMMIT_META]: written.commit,
    };
    const contentType = String(reply.headers['content-type'] ?? 'application/json');
    send(res, reply.status, reply.headers, encodeMessages(contentType, messages));
  }

  return { control, handle, unhealthy: () => fault, state: () => state };
}

/** The agent's suggested message (`_meta["warmgate/commit-message"]`, one line), else the tool. */
function commitMessage(tool: string, result: Record<string, unknown> | undefined): string {
  const meta = result?._meta as Record<string, unknown> | undefined;
  const suggested = meta?.[COMMIT_MESSAGE_META];
  const line = typeof suggested === 'string' ? suggested.split('\n')[0]!.trim().slice(0, 200) : '';
  return line !== '' ? line : `Tool ${tool.slice(0, 100)}`;
}

function agentMalformed(message: string): WarmgateError {
  const error = errors.unavailable(message);
  (error as WarmgateError & { agentFault?: boolean }).agentFault = true;
  return error;
}
