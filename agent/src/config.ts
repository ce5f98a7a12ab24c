// The agent container's configuration: one typed object, read from WARMGATE_* variables here
// and nowhere else, validated at start-up with messages that name the setting. Every
// setting is documented in agent/README.md.
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { errors } from '@warmgate/proto';

/** `container`: agent and sidecar in one process (each still on its own port and protocol). */
export type Role = 'agent' | 'sidecar' | 'container' | 'stdio';

export interface AgentConfig {
  readonly role: Role;
  readonly host: string;
  readonly agentPort: number;
  readonly sidecarPort: number;
  /** Where the sidecar reaches the agent's control API (no trailing slash). */
  readonly agentUrl: string;
  readonly workspaceDir: string;
  /** Shared secret between the two processes of one container; '' only in stdio mode. */
  readonly controlToken: string;
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
}

export const DEFAULTS = {
  WARMGATE_AGENT_HOST: '127.0.0.1',
  WARMGATE_AGENT_PORT: '8090',
  WARMGATE_SIDECAR_PORT: '8091',
  WARMGATE_AGENT_DRAIN_TIMEOUT_MS: '15000',
  WARMGATE_AGENT_MAX_OBJECT_BYTES: String(64 * 1024 * 1024),
  WARMGATE_STDIO_USER_ID: 'local',
  WARMGATE_AGENT_MCP_LOAD: 'ready',
} as const;

export function loadConfig(role: Role, env: NodeJS.ProcessEnv = process.env): AgentConfig {
  const read = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value === '' ? undefined : value;
  };
  const withDefault = (name: keyof typeof DEFAULTS) => read(name) ?? DEFAULTS[name];
  const host = withDefault('WARMGATE_AGENT_HOST');
  const agentPort = port('WARMGATE_AGENT_PORT', withDefault('WARMGATE_AGENT_PORT'));
  const workspace = read('WARMGATE_WORKSPACE_DIR');
  if (!workspace) throw errors.invalidArgument('WARMGATE_WORKSPACE_DIR must be set');
  const secret = (name: string) => secretOf(name, read(name), read(`${name}_FILE`));
  const controlToken = secret('WARMGATE_AGENT_CONTROL_TOKEN') ?? '';
  if (role !== 'stdio' && controlToken.length < 16) {
    throw errors.invalidArgument(
      'WARMGATE_AGENT_CONTROL_TOKEN (or _FILE) must be set to a secret of at least 16 characters',
    );
  }
  const sidecarSecret =
    role === 'sidecar' || role === 'container' ? (secret('WARMGATE_SIDECAR_SECRET') ?? '') : '';
  if ((role === 'sidecar' || role === 'container') && sidecarSecret.length < 16) {
    throw errors.invalidArgument(
      'WARMGATE_SIDECAR_SECRET (or _FILE) must be set to a secret of at least 16 characters',
    );
  }
  const drain = Number(withDefault('WARMGATE_AGENT_DRAIN_TIMEOUT_MS'));
  if (!Number.isInteger(drain) || drain < 0 || drain > 600_000) {
    throw errors.invalidArgument('WARMGATE_AGENT_DRAIN_TIMEOUT_MS must be 0..600000');
  }
  const maxObjectBytes = Number(withDefault('WARMGATE_AGENT_MAX_OBJECT_BYTES'));
  if (!Number.isSafeInteger(maxObjectBytes) || maxObjectBytes < 1024) {
    throw errors.invalidArgument('WARMGATE_AGENT_MAX_OBJECT_BYTES must be a whole number ≥ 1024');
  }
  const mcpLoad = withDefault('WARMGATE_AGENT_MCP_LOAD');
  if (mcpLoad !== 'ready' && mcpLoad !== 'bind') {
    throw errors.invalidArgument(`WARMGATE_AGENT_MCP_LOAD must be ready or bind (got ${mcpLoad})`);
  }
  // Listening on every address (a pod) still means the agent is reached on loopback.
  const localHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const agentUrl = (read('WARMGATE_AGENT_URL') ?? `http://${localHost}:${agentPort}`).replace(
    /\/$/,
    '',
  );
  try {
    new URL(agentUrl);
  } catch (cause) {
    throw errors.invalidArgument(`WARMGATE_AGENT_URL is not a URL: ${agentUrl}`, cause);
  }
  return {
    role,
    host,
    agentPort,
    sidecarPort: port('WARMGATE_SIDECAR_PORT', withDefault('WARMGATE_SIDECAR_PORT')),
    agentUrl,
    workspaceDir: isAbsolute(workspace) ? workspace : resolve(workspace),
    controlToken,
    sidecarSecret,
    readyFile: read('WARMGATE_READY_FILE'),
    jwePrivateKey: secret('WARMGATE_AGENT_JWE_PRIVATE_KEY'),
    directIssuerKeys: secret('WARMGATE_DIRECT_ISSUER_KEYS'),
    drainTimeoutMs: drain,
    maxObjectBytes,
    stdioUserId: withDefault('WARMGATE_STDIO_USER_ID'),
    mcpLoad,
  };
}

function port(name: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw errors.invalidArgument(`${name} must be a port number 0..65535 (got ${raw})`);
  }
  return value;
}

/**
 * A secret given either as the variable itself or as `<NAME>_FILE`, a path to a file holding
 * it (how the local runtime hands secrets over, so that they are in no process environment).
 */
function secretOf(name: string, value: string | undefined, file: string | undefined) {
  if (value !== undefined && file !== undefined) {
    throw errors.invalidArgument(`${name} and ${name}_FILE: set at most one`);
  }
  if (file === undefined) return value;
  try {
    const text = readFileSync(file, 'utf8').trim();
    return text === '' ? undefined : text;
  } catch (cause) {
    throw errors.invalidArgument(`${name}_FILE=${file}: ${(cause as Error).message}`, cause);
  }
}
