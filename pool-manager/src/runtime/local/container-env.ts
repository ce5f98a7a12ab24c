// The environment of a local container's processes: an allow-list, never the pool manager's
// own environment. The pool manager (in `npm start`, the gateway's process too) holds the
// JWT secret, the LLM key, the Pool and store secrets; code running in an agent, and the git
// processes it spawns, must see none of them. Secrets a container needs arrive by file.

/** Passed through from the pool manager's environment when set (the process basics). */
const ALLOWED = new Set([
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'LANG',
  'LANGUAGE',
  'TZ',
  'TMPDIR',
  'NODE_EXTRA_CA_CERTS',
  // Agent settings that are not secrets.
  'WARMGATE_AGENT_DRAIN_TIMEOUT_MS',
  'WARMGATE_AGENT_MCP_LOAD',
  'WARMGATE_DIRECT_ISSUER_KEYS',
  'WARMGATE_DIRECT_ISSUER_KEYS_FILE',
  'WARMGATE_AGENT_JWE_PRIVATE_KEY_FILE',
  'WARMGATE_SIDECAR_AGENT_TIMEOUT_MS',
  'WARMGATE_SIDECAR_TURBOFAN',
  // Agents behind the data plane (issue 14): the Python agent's settings for user code.
  'WARMGATE_AGENT_ISOLATION',
  'WARMGATE_BWRAP',
  'WARMGATE_INDICATOR_TIMEOUT_MS',
  'WARMGATE_INDICATOR_MEMORY_MB',
  'WARMGATE_INDICATOR_CONCURRENCY',
  'XDG_CACHE_HOME',
]);

/** Locale and telemetry settings (OTLP headers can carry an API key: those stay out). */
function allowedByPrefix(name: string): boolean {
  if (name.startsWith('LC_')) return true;
  return name.startsWith('OTEL_') && !name.includes('HEADERS');
}

/** The allow-listed part of `env`. */
export function allowedEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const picked: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && (ALLOWED.has(name) || allowedByPrefix(name))) picked[name] = value;
  }
  return picked;
}

/** The agent's direct-mode decryption key: given to the container by file, never by env. */
export const JWE_KEY_ENV = 'WARMGATE_AGENT_JWE_PRIVATE_KEY';
export const JWE_KEY_FILE_ENV = 'WARMGATE_AGENT_JWE_PRIVATE_KEY_FILE';
