// The agent container's configuration: one typed object, read from WARMGATE_* variables here
// and nowhere else, validated at start-up with messages that name the setting. Every
// setting is documented in agent/README.md.
import { isAbsolute, resolve } from 'node:path';
import { Settings } from '@warmgate/config';

/**
 * `container`: agent and sidecar in one process (each still on its own port and protocol).
 * `mcp`: the agent as a plain MCP server behind the sidecar's data plane (the agent start
 * contract, docs/architecture.md): no control API, no credentials, no git.
 */
export type Role = 'sidecar' | 'container' | 'stdio' | 'mcp';

export interface AgentConfig {
  readonly role: Role;
  readonly host: string;
  readonly sidecarPort: number;
  readonly workspaceDir: string;
  /** Sidecar: the secret every Lifecycle call must carry (from the pool manager); '' otherwise. */
  readonly sidecarSecret: string;
  readonly readyFile: string | undefined;
  /** Direct mode: the agent's JWE decryption key (PEM or JWK JSON). */
  readonly jwePrivateKey: string | undefined;
  /** Direct mode: the keys inner tokens are verified with (JWKS JSON or PEM). */
  readonly directIssuerKeys: string | undefined;
  readonly drainTimeoutMs: number;
  /** The largest git object the in-process checkout inflates, bytes. */
  readonly maxObjectBytes: number;
  /** stdio mode: the user the local workspace belongs to. */
  readonly stdioUserId: string;
  /**
   * When a warm agent loads its MCP side (SDK, tools, analysis: about half its memory):
   * `ready` — right after it announces ready, so a claim finds it loaded (the warm path);
   * `bind` — only when bound (a smaller idle container; every bind pays the load).
   */
  readonly mcpLoad: 'ready' | 'bind';
  /**
   * Sidecar: the agent's MCP address under the agent start contract (`WARMGATE_SIDECAR_AGENT`,
   * an absolute Unix socket path or host:port); the sidecar is the data plane in front of it
   * (serves MCP itself on `sidecarMcpPort`, checks credentials, commits and pushes). Role
   * `mcp`: where the agent serves MCP (`WARMGATE_AGENT_LISTEN`).
   */
  readonly agentListen: string | undefined;
  /**
   * Sidecar: the agent as a command the sidecar starts and speaks MCP to over stdio
   * (`WARMGATE_SIDECAR_AGENT_COMMAND`, a JSON array); the other way to be the data plane.
   */
  readonly agentCommand: readonly string[] | undefined;
  /** Sidecar data plane: its MCP port for the gateway. */
  readonly sidecarMcpPort: number;
  /**
   * Sidecar data plane: serve the gateway's MCP on this Unix socket instead of
   * `sidecarMcpPort` (a container on `--network none` is reached through its own folder only).
   */
  readonly sidecarMcpSocket: string | undefined;
  /** Sidecar data plane: the longest the agent may take to answer one request. */
  readonly agentTimeoutMs: number;
  /** Sidecar: serve Lifecycle on this Unix socket instead of a TCP port. */
  readonly sidecarSocket: string | undefined;
  /**
   * Sidecar: `<port>=<socket>` — listen on loopback `<port>` inside the container and carry
   * each connection to the Unix socket (the repository store, served by the pool manager),
   * so git in a container without a network reaches its store at the usual URL.
   */
  readonly storeForward: { readonly port: number; readonly socket: string } | undefined;
}

export const DEFAULTS = {
  WARMGATE_AGENT_HOST: '127.0.0.1',
  WARMGATE_SIDECAR_PORT: '8091',
  WARMGATE_AGENT_DRAIN_TIMEOUT_MS: '15000',
  WARMGATE_AGENT_MAX_OBJECT_BYTES: String(64 * 1024 * 1024),
  WARMGATE_STDIO_USER_ID: 'local',
  WARMGATE_AGENT_MCP_LOAD: 'ready',
  WARMGATE_SIDECAR_TURBOFAN: 'ready',
  WARMGATE_SIDECAR_MCP_PORT: '8092',
  WARMGATE_SIDECAR_AGENT_TIMEOUT_MS: '300000',
} as const;

/** Reads and validates the configuration; throws one ConfigError naming every bad setting. */
export function loadConfig(role: Role, env: NodeJS.ProcessEnv = process.env): AgentConfig {
  const read = new Settings(env, 'agent');
  const withDefault = (name: keyof typeof DEFAULTS) => read.string(name, DEFAULTS[name]);
  const host = withDefault('WARMGATE_AGENT_HOST');
  // Role mcp takes the agent start contract's name for the folder.
  const workspace =
    role === 'mcp'
      ? (read.optional('WARMGATE_WORKSPACE') ?? read.optional('WARMGATE_WORKSPACE_DIR'))
      : read.optional('WARMGATE_WORKSPACE_DIR');
  if (!workspace) {
    read.problem(
      role === 'mcp' ? 'WARMGATE_WORKSPACE must be set' : 'WARMGATE_WORKSPACE_DIR must be set',
    );
  }
  const listenName = role === 'mcp' ? 'WARMGATE_AGENT_LISTEN' : 'WARMGATE_SIDECAR_AGENT';
  const agentListen = read.optional(listenName);
  if (role === 'mcp' && !agentListen) {
    read.problem(
      'WARMGATE_AGENT_LISTEN must be set (a Unix socket path or host:port): the TypeScript agent serves MCP over HTTP behind the sidecar',
    );
  }
  if (
    agentListen &&
    !agentListen.startsWith('/') &&
    !/^(\[[^\]]+\]|[^:/]+):\d{1,5}$/.test(agentListen)
  ) {
    read.problem(
      `${listenName} must be an absolute Unix socket path or host:port (got ${agentListen})`,
    );
  }
  const agentTimeoutMs = read.duration(
    'WARMGATE_SIDECAR_AGENT_TIMEOUT_MS',
    Number(DEFAULTS.WARMGATE_SIDECAR_AGENT_TIMEOUT_MS),
    { min: 100, max: 3_600_000 },
  );
  const agentCommand =
    role === 'sidecar'
      ? read.parse(
          'WARMGATE_SIDECAR_AGENT_COMMAND',
          read.optional('WARMGATE_SIDECAR_AGENT_COMMAND'),
          commandOf,
          undefined,
        )
      : undefined;
  if (agentCommand && agentListen) {
    read.problem(
      'WARMGATE_SIDECAR_AGENT and WARMGATE_SIDECAR_AGENT_COMMAND: set at most one (an address, or a command spoken to over stdio)',
    );
  }
  // The sidecar is always the data plane, and every runtime names its agent: no default
  // (the agent is another process, often another container, that the sidecar cannot guess).
  if (role === 'sidecar' && !agentListen && !agentCommand) {
    read.problem(
      'WARMGATE_SIDECAR_AGENT (a Unix socket path or host:port) or WARMGATE_SIDECAR_AGENT_COMMAND (a JSON array) must be set: the sidecar serves MCP in front of that agent',
    );
  }
  const sidecarSecret =
    role === 'sidecar' || role === 'container'
      ? (read.secret('WARMGATE_SIDECAR_SECRET') ?? '')
      : '';
  if ((role === 'sidecar' || role === 'container') && sidecarSecret.length < 16) {
    read.problem(
      'WARMGATE_SIDECAR_SECRET (or _FILE) must be set to a secret of at least 16 characters',
    );
  }
  const drain = read.duration(
    'WARMGATE_AGENT_DRAIN_TIMEOUT_MS',
    Number(DEFAULTS.WARMGATE_AGENT_DRAIN_TIMEOUT_MS),
    { min: 0, max: 600_000 },
  );
  const maxObjectBytes = read.int(
    'WARMGATE_AGENT_MAX_OBJECT_BYTES',
    Number(DEFAULTS.WARMGATE_AGENT_MAX_OBJECT_BYTES),
    { min: 1024 },
  );
  const mcpLoad = withDefault('WARMGATE_AGENT_MCP_LOAD');
  if (mcpLoad !== 'ready' && mcpLoad !== 'bind') {
    read.problem(`WARMGATE_AGENT_MCP_LOAD must be ready or bind (got ${mcpLoad})`);
  }
  // Applied by warm-compiler.ts before any module loads (it cannot wait for this config);
  // checked here so that a wrong value stops the start with a message.
  const turbofan = withDefault('WARMGATE_SIDECAR_TURBOFAN');
  if (turbofan !== 'ready' && turbofan !== 'bind') {
    read.problem(`WARMGATE_SIDECAR_TURBOFAN must be ready or bind (got ${turbofan})`);
  }
  const sidecarPort = read.port('WARMGATE_SIDECAR_PORT', Number(DEFAULTS.WARMGATE_SIDECAR_PORT));
  const jwePrivateKey = read.secret('WARMGATE_AGENT_JWE_PRIVATE_KEY');
  const directIssuerKeys = read.secret('WARMGATE_DIRECT_ISSUER_KEYS');
  const sidecarMcpPort = read.port(
    'WARMGATE_SIDECAR_MCP_PORT',
    Number(DEFAULTS.WARMGATE_SIDECAR_MCP_PORT),
  );
  const socketPath = (name: string) => {
    const value = read.optional(name);
    if (value !== undefined && !isAbsolute(value)) {
      read.problem(`${name} must be an absolute path (got ${value})`);
    }
    return value;
  };
  const sidecarSocket = socketPath('WARMGATE_SIDECAR_SOCKET');
  const sidecarMcpSocket = socketPath('WARMGATE_SIDECAR_MCP_SOCKET');
  const forward = read.optional('WARMGATE_SIDECAR_STORE_FORWARD');
  let storeForward: AgentConfig['storeForward'];
  if (forward !== undefined) {
    const match = /^(\d+)=(\/.+)$/.exec(forward);
    if (!match || Number(match[1]) < 1 || Number(match[1]) > 65535) {
      read.problem(
        `WARMGATE_SIDECAR_STORE_FORWARD must be <port 1..65535>=<absolute socket path> (got ${forward})`,
      );
    } else {
      storeForward = { port: Number(match[1]), socket: match[2]! };
    }
  }
  read.finish();
  return {
    role,
    host,
    sidecarPort,
    workspaceDir: isAbsolute(workspace!) ? workspace! : resolve(workspace!),
    sidecarSecret,
    readyFile: read.raw('WARMGATE_READY_FILE'),
    jwePrivateKey,
    directIssuerKeys,
    drainTimeoutMs: drain,
    maxObjectBytes,
    stdioUserId: withDefault('WARMGATE_STDIO_USER_ID'),
    mcpLoad: mcpLoad as 'ready' | 'bind',
    agentListen,
    agentCommand,
    sidecarMcpPort,
    sidecarMcpSocket,
    agentTimeoutMs,
    sidecarSocket,
    storeForward,
  };
}

/** `["/path/agent", "--flag"]`: a non-empty JSON array of non-empty strings. */
function commandOf(raw: string): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error('must be a JSON array');
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length === 0 ||
    !parsed.every((part) => typeof part === 'string' && part !== '')
  ) {
    throw new Error('must be a non-empty JSON array of non-empty strings');
  }
  return parsed as string[];
}
