// The tool catalog: one list of tools per session (platform + user), and one router for calls.
// The session core uses it for ListTools/CallTool, the LLM loop for the model's tool calls, so
// both see exactly the same tools under the same names with the same permissions.
import { AuthMode, errors, type gatewayv1 } from '@warmgate/proto';
import type {
  AgentSession,
  CallOptions,
  JsonObject,
  PlatformTools,
  Principal,
  ToolDescriptor,
} from '../ports.js';
import { checkToolArguments } from './tool-arguments.js';
import { exposeTools, type ExposedTool } from './tool-names.js';

export interface ToolCatalog {
  /** The tools this principal may call, by exposed name. */
  list(agent: AgentSession, principal: Principal, options: CallOptions): Promise<ToolDescriptor[]>;
  /** The same tools with the names their owners know them by (for routing). */
  tools(agent: AgentSession, principal: Principal, options: CallOptions): Promise<ExposedTool[]>;
  /** Finds one tool by exposed name; NOT_FOUND or PERMISSION_DENIED when it may not be called. */
  resolve(
    agent: AgentSession,
    principal: Principal,
    name: string,
    options: CallOptions,
  ): Promise<ExposedTool>;
  /** Validates the arguments, then routes the call to the gateway or the user's agent. */
  call(
    agent: AgentSession,
    principal: Principal,
    name: string,
    args: unknown,
    options: CallOptions,
  ): Promise<gatewayv1.CallToolResponse>;
  /** Runs an already resolved tool (the LLM loop resolves once per round). */
  invoke(
    agent: AgentSession,
    tool: ExposedTool,
    args: JsonObject,
    options: CallOptions,
  ): Promise<gatewayv1.CallToolResponse>;
}

/** Public (anonymous) sessions get read-only tools only (DESIGN, auth modes). */
function allowed(principal: Principal, tool: ToolDescriptor): boolean {
  return principal.mode !== AuthMode.PUBLIC || tool.annotations.readOnly;
}

export function createToolCatalog(platform: PlatformTools): ToolCatalog {
  async function exposed(agent: AgentSession, options: CallOptions): Promise<ExposedTool[]> {
    // The agent already hides tools marked internal (warmgate/internal), see upstream.
    return exposeTools(platform.list(), await agent.listTools(options));
  }

  const catalog: ToolCatalog = {
    async list(agent, principal, options) {
      return (await catalog.tools(agent, principal, options)).map((t) => t.descriptor);
    },

    async tools(agent, principal, options) {
      return (await exposed(agent, options)).filter((t) => allowed(principal, t.descriptor));
    },

    async resolve(agent, principal, name, options) {
      const tool = (await exposed(agent, options)).find((t) => t.descriptor.name === name);
      if (!tool) throw errors.notFound(`no tool named "${name}"`);
      if (!allowed(principal, tool.descriptor)) {
        throw errors.permissionDenied(
          `tool "${name}" changes data; public sessions may call read-only tools only`,
        );
      }
      return tool;
    },

    async call(agent, principal, name, args, options) {
      const checked = checkToolArguments(args);
      const tool = await catalog.resolve(agent, principal, name, options);
      return catalog.invoke(agent, tool, checked, options);
    },

    invoke(agent, tool, args, options) {
      return tool.descriptor.route === 'platform'
        ? platform.call(tool.targetName, args, options)
        : agent.callTool(tool.targetName, args, options);
    },
  };
  return catalog;
}
