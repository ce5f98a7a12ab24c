// Agents by image, for the container runtimes (Docker, Kubernetes), from
// WARMGATE_POOL_AGENT_IMAGES: {"python": "warmgate/agent-py:dev"} or
// {"python": {"image": "warmgate/agent-py:dev", "command": ["python", "-m", "warmgate_agent"]}}.
// A profile naming such an agent (`agent=python`) gets a container of that image under the
// agent start contract (docs/architecture.md), with Warmgate's sidecar in front of it as the
// data plane; so does the default agent (`typescript`: Warmgate's agent image in role `mcp`).
// Pure: parsed here, used by the runtimes.

export interface AgentImage {
  readonly image: string;
  /** The container's command (Docker `Cmd`, Kubernetes `args`); unset = the image's own. */
  readonly command?: readonly string[];
}

export type AgentImages = Readonly<Record<string, AgentImage>>;

/** Warmgate's own agent as a plain MCP server: the agent image in role `mcp`. */
export const TYPESCRIPT_MCP = 'typescript-mcp';

const NAME = /^[a-z][a-z0-9-]{0,39}$/;
/** A Docker/OCI image reference: registry/name[:tag][@digest], no spaces or shell characters. */
const IMAGE = /^[a-z0-9][a-z0-9._/:@-]{0,254}$/i;

export function parseAgentImages(raw: string): Record<string, AgentImage> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error('expected JSON, e.g. {"python": "warmgate/agent-py:dev"}');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error('expected a JSON object of name → image (or {"image", "command"})');
  }
  const images: Record<string, AgentImage> = {};
  for (const [name, entry] of Object.entries(parsed)) {
    if (!NAME.test(name)) throw new Error(`agent name "${name}" must match ${NAME}`);
    if (name === 'typescript' || name === TYPESCRIPT_MCP) {
      throw new Error(`agent name ${name} is built in`);
    }
    const { image, command } = (typeof entry === 'string' ? { image: entry } : (entry ?? {})) as {
      image?: unknown;
      command?: unknown;
    };
    if (typeof image !== 'string' || !IMAGE.test(image)) {
      throw new Error(
        `agent ${name}: "image" must be an image reference like warmgate/agent-py:dev`,
      );
    }
    if (
      command !== undefined &&
      (!Array.isArray(command) ||
        command.length === 0 ||
        !command.every((part) => typeof part === 'string' && part !== ''))
    ) {
      throw new Error(`agent ${name}: "command" must be a non-empty array of non-empty strings`);
    }
    images[name] = command === undefined ? { image } : { image, command: command as string[] };
  }
  return images;
}

/**
 * The image and command of an agent, or undefined for unknown names. The default agent
 * (`typescript`, or none named) and `typescript-mcp` are Warmgate's agent image (`agentImage`)
 * in role `mcp`: a plain MCP server behind the sidecar's data plane, like any named agent.
 */
export function agentImageFor(
  agent: string | undefined,
  images: AgentImages | undefined,
  agentImage: string,
): AgentImage | undefined {
  if (agent === undefined || agent === 'typescript' || agent === TYPESCRIPT_MCP) {
    return { image: agentImage, command: ['mcp'] };
  }
  return images?.[agent];
}
