// The gateway's configuration: one typed object, read from WARMGATE_* environment variables
// here and nowhere else, validated at start-up with messages that name the setting.
// Every setting is documented in gateway/README.md.
import { readFileSync } from 'node:fs';
import type { AdmissionConfig } from './admission/admission.js';

export interface AuthConfig {
  /** Anonymous read-only sessions (tier "public"). */
  readonly publicEnabled: boolean;
  /** The tier public sessions get (a tier the pool manager knows; DESIGN: public = free tier). */
  readonly publicTier: string;
  /** Public sessions end after this long (ms). */
  readonly publicSessionTimeoutMs: number;
  /** Gateway mode: verify JWTs with one of these keys (at most one may be set). */
  readonly jwksUrl?: string;
  readonly publicKeyPem?: string;
  readonly hs256Secret?: string;
  readonly issuer?: string;
  readonly audience?: string;
  /** The JWT claim holding the tier; a token without it gets `defaultTier`. */
  readonly tierClaim: string;
  readonly defaultTier: string;
  /** Direct mode: accept JWEs, forwarded untouched to the agent, which verifies them. */
  readonly directEnabled: boolean;
  /** The tier of direct-mode sessions whose JWE header carries none. */
  readonly directDefaultTier: string;
  /** Tolerated clock skew when checking exp/nbf (seconds). */
  readonly clockToleranceS: number;
}

export interface LlmConfig {
  /** An OpenAI-compatible endpoint; unset = the offline model. */
  readonly baseUrl?: string;
  readonly apiKey?: string;
  readonly model: string;
  /** `max_tokens` of every model request: bounds one answer's cost. */
  readonly maxTokens: number;
  readonly timeoutMs: number;
  readonly maxToolRounds: number;
  /** One whole turn: model requests, tool rounds and the save. */
  readonly turnTimeoutMs: number;
}

export interface LimitsConfig {
  /** The longest user message, in characters. */
  readonly maxMessageChars: number;
  /** The largest tool-argument object, serialised, in bytes. */
  readonly maxArgumentBytes: number;
  /** The largest WebSocket frame a client may send, in bytes. */
  readonly maxFrameBytes: number;
  /** Bytes buffered for one slow WebSocket consumer before the socket is closed (1013). */
  readonly maxBufferedBytes: number;
  /** Requests in flight on one WebSocket. */
  readonly maxInflightPerSocket: number;
  /** WebSocket idle timeout (seconds); the server pings before it passes. */
  readonly idleTimeoutS: number;
  /** Per tool call, ms. */
  readonly toolTimeoutMs: number;
}

/** grpc-js server options that bound what one connection may hold. */
export interface GrpcServerConfig {
  /** `grpc.max_concurrent_streams`: calls in flight on one HTTP/2 connection. */
  readonly maxConcurrentStreams: number;
  /** `grpc.keepalive_time_ms` / `grpc.keepalive_timeout_ms`: dead peers are dropped. */
  readonly keepaliveTimeMs: number;
  readonly keepaliveTimeoutMs: number;
  /** `grpc.max_connection_idle_ms`: a connection without calls this long is closed. */
  readonly maxConnectionIdleMs: number;
}

export interface McpConfig {
  /**
   * HMAC key signing MCP session ids, so any replica sharing it honours a session another
   * minted. Unset: a random key per process (sessions die with it; no sharing).
   */
  readonly sessionSecret?: string;
  /** How long a 2025-11-25 session id stays valid (ms); a token's own expiry still applies. */
  readonly sessionTtlMs: number;
  /** RFC 9728 `authorization_servers`; default: the JWT issuer when one is set. */
  readonly authorizationServers: readonly string[];
  /** The canonical resource URI (`https://gateway.example/mcp`); unset: from the Host header. */
  readonly resourceUrl?: string;
  /** Host header values /mcp accepts (DNS-rebinding protection); `*` accepts any. */
  readonly allowedHosts: readonly string[];
  /** Requests one MCP session may have running at once on one replica (streams excepted). */
  readonly maxInFlight: number;
}

export interface GatewayConfig {
  readonly host: string;
  readonly httpPort: number;
  readonly grpcPort: number;
  readonly poolAddress: string;
  /**
   * The pool manager's deployment secret, sent on every Pool call (`authorization: Bearer`).
   * Required by `gateway/dist/main.js`; `npm start` takes it from the in-process pool manager.
   */
  readonly poolSecret?: string;
  readonly auth: AuthConfig;
  readonly llm: LlmConfig;
  readonly limits: LimitsConfig;
  readonly admission: AdmissionConfig;
  readonly grpc: GrpcServerConfig;
  readonly mcp: McpConfig;
  /** Seconds to wait for in-flight work on shutdown. */
  readonly drainTimeoutS: number;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Reads and validates the configuration; throws one error naming every bad setting. */
export function loadConfig(env: Env = process.env): GatewayConfig {
  const problems: string[] = [];
  const read = new Reader(env, problems);
  const config: GatewayConfig = {
    host: read.string('WARMGATE_HOST', '0.0.0.0'),
    httpPort: read.port('WARMGATE_HTTP_PORT', 8080),
    grpcPort: read.port('WARMGATE_GRPC_PORT', 50051),
    poolAddress: read.string('WARMGATE_POOL_ADDRESS', '127.0.0.1:50052'),
    ...optionalField('poolSecret', read.secret('WARMGATE_POOL_SECRET', 32)),
    auth: {
      publicEnabled: read.bool('WARMGATE_AUTH_PUBLIC', true),
      publicTier: read.string('WARMGATE_AUTH_PUBLIC_TIER', 'free'),
      publicSessionTimeoutMs: read.int(
        'WARMGATE_AUTH_PUBLIC_SESSION_TIMEOUT_MS',
        30 * 60_000,
        1000,
      ),
      jwksUrl: read.url('WARMGATE_AUTH_JWKS_URL'),
      publicKeyPem: read.optional('WARMGATE_AUTH_PUBLIC_KEY'),
      hs256Secret: read.optional('WARMGATE_AUTH_HS256_SECRET'),
      issuer: read.optional('WARMGATE_AUTH_ISSUER'),
      audience: read.optional('WARMGATE_AUTH_AUDIENCE'),
      tierClaim: read.string('WARMGATE_AUTH_TIER_CLAIM', 'tier'),
      defaultTier: read.string('WARMGATE_AUTH_DEFAULT_TIER', 'free'),
      directEnabled: read.bool('WARMGATE_AUTH_DIRECT', false),
      directDefaultTier: read.string('WARMGATE_AUTH_DIRECT_DEFAULT_TIER', 'enterprise'),
      clockToleranceS: read.int('WARMGATE_AUTH_CLOCK_TOLERANCE_S', 5, 0),
    },
    llm: {
      baseUrl: read.url('WARMGATE_LLM_BASE_URL'),
      apiKey: read.optional('WARMGATE_LLM_API_KEY'),
      model: read.string('WARMGATE_LLM_MODEL', 'gpt-4o-mini'),
      maxTokens: read.int('WARMGATE_LLM_MAX_TOKENS', 4096, 1),
      timeoutMs: read.int('WARMGATE_LLM_TIMEOUT_MS', 60_000, 100),
      maxToolRounds: read.int('WARMGATE_LLM_MAX_TOOL_ROUNDS', 8, 1),
      turnTimeoutMs: read.int('WARMGATE_TURN_TIMEOUT_MS', 300_000, 1000),
    },
    limits: {
      maxMessageChars: read.int('WARMGATE_MAX_MESSAGE_CHARS', 16_000, 1),
      maxArgumentBytes: read.int('WARMGATE_MAX_ARGUMENT_BYTES', 64 * 1024, 2),
      maxFrameBytes: read.int('WARMGATE_MAX_FRAME_BYTES', 256 * 1024, 1024),
      maxBufferedBytes: read.int('WARMGATE_MAX_BUFFERED_BYTES', 1024 * 1024, 1024),
      maxInflightPerSocket: read.int('WARMGATE_MAX_INFLIGHT_PER_SOCKET', 32, 1),
      idleTimeoutS: read.int('WARMGATE_WS_IDLE_TIMEOUT_S', 120, 8),
      toolTimeoutMs: read.int('WARMGATE_TOOL_TIMEOUT_MS', 30_000, 10),
    },
    admission: {
      connections: {
        ws: {
          max: read.int('WARMGATE_WS_MAX_CONNECTIONS', 10_000, 1),
          perIp: read.int('WARMGATE_WS_MAX_CONNECTIONS_PER_IP', 100, 1),
        },
        grpc: {
          max: read.int('WARMGATE_GRPC_MAX_CONNECTIONS', 10_000, 1),
          perIp: read.int('WARMGATE_GRPC_MAX_CONNECTIONS_PER_IP', 100, 1),
        },
      },
      requests: {
        perSecond: read.int('WARMGATE_RATE_REQUESTS_PER_S', 50, 0),
        burst: read.int('WARMGATE_RATE_REQUESTS_BURST', 100, 1),
      },
      turns: {
        perSecond: read.int('WARMGATE_RATE_TURNS_PER_MIN', 20, 0) / 60,
        burst: read.int('WARMGATE_RATE_TURNS_BURST', 5, 1),
      },
      llm: {
        dailyTokensByTier: read.tierNumbers(
          'WARMGATE_LLM_DAILY_TOKENS',
          'free=200000,pro=2000000,enterprise=20000000,*=200000',
        ),
        publicDailyTokens: read.int('WARMGATE_LLM_DAILY_TOKENS_PUBLIC', 100_000, 0),
      },
      publicChat: false, // set below: depends on the model
    },
    grpc: {
      maxConcurrentStreams: read.int('WARMGATE_GRPC_MAX_CONCURRENT_STREAMS', 100, 1),
      keepaliveTimeMs: read.int('WARMGATE_GRPC_KEEPALIVE_TIME_MS', 60_000, 1000),
      keepaliveTimeoutMs: read.int('WARMGATE_GRPC_KEEPALIVE_TIMEOUT_MS', 20_000, 1000),
      maxConnectionIdleMs: read.int('WARMGATE_GRPC_MAX_CONNECTION_IDLE_MS', 300_000, 1000),
    },
    mcp: {
      sessionSecret: read.optional('WARMGATE_MCP_SESSION_SECRET'),
      sessionTtlMs: read.int('WARMGATE_MCP_SESSION_TTL_S', 24 * 3600, 60) * 1000,
      authorizationServers: read.urls('WARMGATE_MCP_AUTHORIZATION_SERVERS', issuerUrl(env)),
      resourceUrl: read.url('WARMGATE_MCP_RESOURCE_URL'),
      allowedHosts: read.list('WARMGATE_MCP_ALLOWED_HOSTS', ['localhost', '127.0.0.1', '[::1]']),
      maxInFlight: read.int('WARMGATE_MCP_MAX_IN_FLIGHT', 16, 1),
    },
    drainTimeoutS: read.int('WARMGATE_DRAIN_TIMEOUT_S', 10, 0),
  };
  if (config.mcp.sessionSecret !== undefined && config.mcp.sessionSecret.length < 32) {
    problems.push('WARMGATE_MCP_SESSION_SECRET: must be at least 32 characters');
  }
  // Anonymous chat costs nothing with the offline model; with a paid endpoint it is off
  // unless the operator turns it on (and then it shares WARMGATE_LLM_DAILY_TOKENS_PUBLIC).
  const publicChat = read.choice('WARMGATE_PUBLIC_CHAT', ['auto', 'true', 'false'], 'auto');
  const withChat = {
    ...config,
    admission: {
      ...config.admission,
      publicChat: publicChat === 'auto' ? config.llm.baseUrl === undefined : publicChat === 'true',
    },
  };
  const keys = [config.auth.jwksUrl, config.auth.publicKeyPem, config.auth.hs256Secret];
  if (keys.filter((key) => key !== undefined).length > 1) {
    problems.push(
      'WARMGATE_AUTH_JWKS_URL, WARMGATE_AUTH_PUBLIC_KEY and WARMGATE_AUTH_HS256_SECRET: set at most one',
    );
  }
  if (config.auth.hs256Secret !== undefined && config.auth.hs256Secret.length < 32) {
    problems.push('WARMGATE_AUTH_HS256_SECRET: must be at least 32 characters');
  }
  const jwks = config.auth.jwksUrl;
  if (jwks !== undefined && !jwksUrlAllowed(jwks)) {
    // Keys fetched in the clear could be swapped by anyone on the path.
    problems.push(
      `WARMGATE_AUTH_JWKS_URL: must be https (http only to a loopback host), got "${jwks}"`,
    );
  }
  if (config.llm.baseUrl !== undefined && config.llm.apiKey === undefined) {
    // Local OpenAI-compatible servers often take any key; say so rather than guess.
    problems.push(
      'WARMGATE_LLM_API_KEY: required when WARMGATE_LLM_BASE_URL is set (any value for servers that ignore it)',
    );
  }
  if (problems.length > 0) {
    throw new Error(`invalid gateway configuration:\n  ${problems.join('\n  ')}`);
  }
  return withChat;
}

/** The JWT issuer when it is an http(s) URL: the default authorization server of /mcp. */
function issuerUrl(env: Env): string[] {
  const issuer = env.WARMGATE_AUTH_ISSUER?.trim();
  return issuer && URL.canParse(issuer) && /^https?:$/.test(new URL(issuer).protocol)
    ? [issuer]
    : [];
}

/** True when some gateway-mode key is configured. */
export function gatewayModeEnabled(auth: AuthConfig): boolean {
  return Boolean(auth.jwksUrl ?? auth.publicKeyPem ?? auth.hs256Secret);
}

function optionalField<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** https, or http to a loopback host (a JWKS served next to the gateway, tests). */
export function jwksUrlAllowed(raw: string): boolean {
  const url = new URL(raw);
  if (url.protocol === 'https:') return true;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

class Reader {
  constructor(
    private readonly env: Env,
    private readonly problems: string[],
  ) {}

  optional(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value;
  }

  /** A secret given as `<name>` or as `<name>_FILE` (a path to a file holding it). */
  secret(name: string, minLength: number): string | undefined {
    const value = this.optional(name);
    const file = this.optional(`${name}_FILE`);
    if (value !== undefined && file !== undefined) {
      this.problems.push(`${name} and ${name}_FILE: set at most one`);
      return undefined;
    }
    let secret = value?.trim();
    if (file !== undefined) {
      try {
        secret = readFileSync(file.trim(), 'utf8').trim();
      } catch (error) {
        this.problems.push(`${name}_FILE: cannot read "${file}": ${(error as Error).message}`);
        return undefined;
      }
    }
    if (secret === undefined || secret === '') return undefined;
    if (secret.length < minLength) {
      this.problems.push(`${name}: must be at least ${minLength} characters`);
      return undefined;
    }
    return secret;
  }

  string(name: string, fallback: string): string {
    return this.optional(name)?.trim() ?? fallback;
  }

  int(name: string, fallback: number, min: number): number {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isSafeInteger(value) || value < min) {
      this.problems.push(`${name}: expected an integer ≥ ${min}, got "${raw}"`);
      return fallback;
    }
    return value;
  }

  port(name: string, fallback: number): number {
    const value = this.int(name, fallback, 0);
    if (value > 65535) this.problems.push(`${name}: expected a port 0–65535, got ${value}`);
    return value;
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.optional(name)?.trim().toLowerCase();
    if (raw === undefined) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    this.problems.push(`${name}: expected true or false, got "${raw}"`);
    return fallback;
  }

  choice<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const raw = this.optional(name)?.trim().toLowerCase();
    if (raw === undefined) return fallback;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    this.problems.push(`${name}: expected one of ${allowed.join(', ')}, got "${raw}"`);
    return fallback;
  }

  /** "free=200000,pro=2000000,*=100000": a whole number ≥ 0 per tier (0 = no limit). */
  tierNumbers(name: string, fallback: string): Record<string, number> {
    const raw = this.optional(name)?.trim() ?? fallback;
    const values: Record<string, number> = {};
    for (const entry of raw.split(',')) {
      const match = /^\s*([a-z][a-z0-9-]*|\*)=(\d+)\s*$/.exec(entry);
      if (!match) {
        this.problems.push(`${name}: "${entry}" is not tier=tokens (e.g. free=200000, *=100000)`);
        continue;
      }
      values[match[1]!] = Number(match[2]);
    }
    return values;
  }

  list(name: string, fallback: readonly string[]): readonly string[] {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    return raw
      .split(',')
      .map((item) => item.trim().toLowerCase())
      .filter((item) => item !== '');
  }

  urls(name: string, fallback: readonly string[]): readonly string[] {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    return raw
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '')
      .flatMap((item) => {
        if (URL.canParse(item) && /^https?:$/.test(new URL(item).protocol)) return [item];
        this.problems.push(`${name}: expected comma-separated http(s) URLs, got "${item}"`);
        return [];
      });
  }

  url(name: string): string | undefined {
    const raw = this.optional(name);
    if (raw === undefined) return undefined;
    try {
      const url = new URL(raw);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
      return raw;
    } catch {
      this.problems.push(`${name}: expected an http(s) URL, got "${raw}"`);
      return undefined;
    }
  }
}
