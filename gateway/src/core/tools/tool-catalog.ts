// The tool catalog: one list of tools per session (platform + user), and the one router for
// calls. The session core uses it for ListTools/CallTool, the LLM loop for the model's tool
// calls, so both see exactly the same tools under the same names with the same permissions.
//
// It is the single owner of four rules of the chat path:
//   - permissions: public sessions list and call read-only tools only (`allowed`);
//   - platform vs user: a platform name always means the platform tool, run in the gateway
//     without reaching (or waiting for) the user's agent (`route`);
//   - direct-mode verification before a platform tool (`route`): the gateway cannot read a
//     direct-mode credential, the agent can, so one round trip proves it first;
//   - the tool timeout: every tool runs under `toolTimeoutMs` (`invoke`), whoever called it.
import { AuthMode, errors, type gatewayv1 } from '@warmgate/proto';
import { withDeadline } from '../deadline.js';
import type {
  AgentHandle,
  CallOptions,
  JsonObject,
  PlatformTools,
  Principal,
  ToolDescriptor,
} from '../ports.js';
import { checkToolArguments } from './tool-arguments.js';
import { exposeTools, type ExposedTool } from './tool-names.js';

/** The user's agent, or a way to reach it only when a call needs it (platform tools do not). */
export type AgentSource = AgentHandle | ((signal: AbortSignal) => Promise<AgentHandle>);

export interface ToolCatalogOptions {
  /** Per tool call, ms (default 30 s). */
  readonly toolTimeoutMs?: number;
}

export interface ToolCatalog {
  /** The tools this principal may call, by exposed name. */
  list(agent: AgentHandle, principal: Principal, options: CallOptions): Promise<ToolDescriptor[]>;
  /** The same tools with the names their owners know them by (for routing). */
  tools(agent: AgentHandle, principal: Principal, options: CallOptions): Promise<ExposedTool[]>;
  /** Validates the arguments, then routes the call like `route` (an unknown name: NOT_FOUND). */
  call(
    agent: AgentSource,
    principal: Principal,
    name: string,
    args: unknown,
    options: CallOptions,
  ): Promise<gatewayv1.CallToolResponse>;
  /**
   * A client's CallTool: routes by exposed name to the gateway or the user's agent;
   * PERMISSION_DENIED when this principal may not call it, NOT_FOUND for an unknown name
   * (PERMISSION_DENIED for a public session, whose agent lists only read-only tools).
   */
  route(
    agent: AgentSource,
    principal: Principal,
    name: string,
    args: JsonObject,
    options: CallOptions,
  ): Promise<gatewayv1.CallToolResponse>;
  /** Runs an already resolved tool under the tool timeout (the LLM loop resolves per turn). */
  invoke(
    agent: AgentHandle,
    tool: ExposedTool,
    args: JsonObject,
    options: CallOptions,
  ): Promise<gatewayv1.CallToolResponse>;
}

const readOnlyOnly = 'public sessions may call read-only tools only';

/** Public (anonymous) sessions get read-only tools only (DESIGN, auth modes). */
function allowed(principal: Principal, tool: ToolDescriptor): boolean {
  return principal.mode !== AuthMode.PUBLIC || tool.annotations.readOnly;
}

function ensureAllowed(principal: Principal, tool: ToolDescriptor): void {
  if (!allowed(principal, tool)) {
    throw errors.permissionDenied(`tool "${tool.name}" changes data; ${readOnlyOnly}`);
  }
}

export function createToolCatalog(
  platform: PlatformTools,
  options: ToolCatalogOptions = {},
): ToolCatalog {
  const toolTimeoutMs = options.toolTimeoutMs ?? 30_000;
  // The platform's tools are fixed for the life of the gateway: index them once.
  const platformList = platform.list();
  const platformTools = new Map(platformList.map((tool) => [tool.name, tool]));

  /**
   * The exposed tools (and an index by exposed name) per agent tool list: the upstream keeps
   * one list per agent until tools/list_changed, so the clash rule runs once per list, not on
   * every call (it was on every tool call's profile).
   */
  const exposedBy = new WeakMap<
    readonly ToolDescriptor[],
    { tools: ExposedTool[]; byName: Map<string, ExposedTool> }
  >();

  async function exposedIndex(agent: AgentHandle, options: CallOptions) {
    // The agent already hides tools marked internal (warmgate/internal), see upstream.
    const user = await agent.listTools(options);
    let known = exposedBy.get(user);
    if (!known) {
      const tools = exposeTools(platformList, user);
      known = { tools, byName: new Map(tools.map((tool) => [tool.descriptor.name, tool])) };
      exposedBy.set(user, known);
    }
    return known;
  }

  async function exposed(agent: AgentHandle, options: CallOptions): Promise<ExposedTool[]> {
    return (await exposedIndex(agent, options)).tools;
  }

  const agentOf = (agent: AgentSource, signal: AbortSignal) =>
    typeof agent === 'function' ? agent(signal) : Promise.resolve(agent);

  /** The one router: platform name → the gateway, anything else → the user's agent. */
  async function dispatch(
    agent: AgentSource,
    principal: Principal,
    name: string,
    args: JsonObject,
    options: CallOptions,
    unknown: (name: string) => Error,
  ): Promise<gatewayv1.CallToolResponse> {
    // Platform tools keep their names under the clash rule (tool-names.ts).
    const platformTool = platformTools.get(name);
    if (platformTool) {
      ensureAllowed(principal, platformTool);
      // Without this, any well-formed JWE would get platform tools in the name it claims.
      if (principal.mode === AuthMode.DIRECT) {
        await (await agentOf(agent, options.signal)).verify({ signal: options.signal });
      }
      return runTool(undefined, { descriptor: platformTool, targetName: name }, args, options);
    }
    const session = await agentOf(agent, options.signal);
    const tool = (await exposedIndex(session, options)).byName.get(name);
    if (!tool) throw unknown(name);
    ensureAllowed(principal, tool.descriptor);
    return runTool(session, tool, args, options);
  }

  const notFound = (name: string) => errors.notFound(`no tool named "${name}"`);

  const catalog: ToolCatalog = {
    async list(agent, principal, options) {
      return (await catalog.tools(agent, principal, options)).map((t) => t.descriptor);
    },

    async tools(agent, principal, options) {
      return (await exposed(agent, options)).filter((t) => allowed(principal, t.descriptor));
    },

    async call(agent, principal, name, args, options) {
      const checked = checkToolArguments(args);
      return dispatch(agent, principal, name, checked, options, notFound);
    },

    route(agent, principal, name, args, options) {
      // A public session's agent does not even list the tools that write, so "unknown" may
      // well mean "not for you": say what would make it available.
      const unknown =
        principal.mode === AuthMode.PUBLIC
          ? (tool: string) =>
              errors.permissionDenied(`tool "${tool}" is not available: ${readOnlyOnly}`)
          : notFound;
      return dispatch(agent, principal, name, args, options, unknown);
    },

    invoke: (agent, tool, args, options) => runTool(agent, tool, args, options),
  };

  function runTool(
    agent: AgentHandle | undefined,
    tool: ExposedTool,
    args: JsonObject,
    options: CallOptions,
  ): Promise<gatewayv1.CallToolResponse> {
    return withDeadline(
      options.signal,
      toolTimeoutMs,
      `tool "${tool.descriptor.name}"`,
      (signal) =>
        tool.descriptor.route === 'platform'
          ? platform.call(tool.targetName, args, { ...options, signal })
          : agent!.callTool(tool.targetName, args, { ...options, signal }),
    );
  }
  return catalog;
}
