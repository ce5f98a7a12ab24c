// The pool manager's configuration: one typed object, read from WARMGATE_* variables here and
// nowhere else, validated at start-up with messages that name the setting.
import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ConfigError,
  parseBoolean,
  parseDuration as parseDurationOf,
  parseInteger,
  parseNumber,
  parsePort,
  Settings,
} from '@warmgate/config';
import type { PoolCoreConfig, ProfileConfig, TierConfig } from './pool/core-config.js';
import { parseDockerLimits, type LimitsByProfile } from './runtime/docker/docker-limits.js';
import { parseAgentImages, type AgentImages } from './runtime/agent-images.js';
import { defaultAgentEntry } from './runtime/local/agent-entry.js';

export interface PoolManagerConfig {
  /** Pool gRPC service (warmgate.pool.v1.Pool + grpc.health.v1). */
  readonly host: string;
  readonly port: number;
  /**
   * The deployment secret every Pool call must carry (`authorization: Bearer`), and the root
   * the per-container sidecar secrets are derived from. Never logged, never given to a
   * container. Unset: the local runtime makes one in `<stateDir>/pool.secret` (0600).
   */
  readonly secret?: string;
  /** Prometheus /metrics; port 0 turns the exporter off. */
  readonly metrics: { readonly host: string; readonly port: number };
  readonly runtime: RuntimeConfig;
  /** Set: only the holder of this Kubernetes Lease runs the pool core; the others stand by. */
  readonly leader?: { readonly lease: string; readonly identity: string };
  readonly store: EmbeddedStoreConfig | RemoteStoreConfig;
  /** SIGTERM: how long draining every binding may take before the rest are destroyed. */
  readonly shutdownGraceMs: number;
  /** Where the predictive sizer's learned claim history is kept across restarts. */
  readonly history: HistoryConfig;
  readonly core: PoolCoreConfig;
  /** Direct mode: the keys to verify a client's JWE before acquiring for it (unset = refused). */
  readonly direct?: DirectModeConfig;
}

export interface DirectModeConfig {
  /** Never logged, never echoed in a ConfigError. */
  readonly jwePrivateKey: string;
  readonly issuerKeys: string;
  readonly tierClaim: string;
  readonly defaultTier: string;
}

/** A JSON file in the state directory (one machine), or a ConfigMap (Kubernetes). */
export type HistoryConfig =
  | { readonly kind: 'file'; readonly dir: string }
  | { readonly kind: 'configmap'; readonly namespace: string; readonly name: string };

/**
 * What one warm container (agent + sidecar: two Node.js processes) is assumed to take when
 * the machine's warm capacity is derived from its memory. Measure yours with
 * `npm run bench -- footprint` and set WARMGATE_POOL_WARM_CONTAINER_MEMORY.
 */
export const defaultWarmContainerBytes = 192 * 2 ** 20;

/**
 * `kind` picks the runtime. The local runtime's settings are always there (they have
 * defaults, and callers hand them to createLocalRuntime); `kubernetes` only with that kind.
 */
export interface RuntimeConfig {
  readonly kind: 'local' | 'kubernetes' | 'docker';
  readonly stateDir: string;
  readonly agentEntry: string;
  /**
   * Local runtime: Node flags before the entry point of both container processes
   * (WARMGATE_POOL_AGENT_NODE_ARGS, then WARMGATE_POOL_AGENT_EXTRA_NODE_ARGS).
   */
  readonly agentNodeArgs: readonly string[];
  /** Local runtime: 1 = agent and sidecar in one process, 2 = two processes. */
  readonly agentProcesses: 1 | 2;
  /** Local runtime: agents by name (WARMGATE_POOL_AGENT_COMMANDS), each a command line. */
  readonly agentCommands: Readonly<Record<string, readonly string[]>>;
  /** Local runtime: the agents of agentCommands the sidecar starts itself and speaks stdio to. */
  readonly agentStdio: readonly string[];
  /** Docker and Kubernetes: agents by image (WARMGATE_POOL_AGENT_IMAGES). */
  readonly agentImages: AgentImages;
  readonly killGraceMs: number;
  /** Container start deadline, for either runtime. */
  readonly readyTimeoutMs: number;
  /** Local runtime: autogroup nice of a replacement while it starts (0: normal priority). */
  readonly replenishNice: number;
  readonly kubernetes?: KubernetesRuntimeConfig;
  readonly docker?: DockerRuntimeConfig;
  /**
   * Local runtime with WARMGATE_POOL_SANDBOX=bubblewrap: each container process sees only its
   * own folder (runtime/local/bubblewrap.ts) and reaches the store over loopback HTTP with a
   * credential per binding that lives this long, as Docker containers do.
   */
  readonly bubblewrap?: { readonly storeCredentialTtlMs: number };
}

export interface DockerRuntimeConfig {
  /** The agent image (agent/Dockerfile; `npm run images` builds warmgate/agent:dev). */
  readonly image: string;
  /** WARMGATE_POOL_DOCKER_LIMITS: per-profile CPU, memory and pids limits. */
  readonly limits: LimitsByProfile;
  /**
   * The containers reach the embedded store over git smart HTTP on loopback (an in-process
   * store server), with a credential per binding that lives this long.
   */
  readonly storeCredentialTtlMs: number;
}

export interface KubernetesRuntimeConfig {
  readonly namespace: string;
  readonly podTemplatePath: string;
  /** `app.kubernetes.io/instance` of the agent pods (the release name). */
  readonly instance?: string;
}

/** The embedded repo store: a directory of bare repositories `<dir>/<user>.git`. */
export interface EmbeddedStoreConfig {
  readonly kind: 'embedded';
  readonly dir: string;
  /** The most one repository may hold on disk (WARMGATE_STORE_QUOTA); a push past it is refused. */
  readonly quotaBytes: number;
}

/** The Kubernetes repo store: git over HTTP with a credential per binding. */
export interface RemoteStoreConfig {
  readonly kind: 'remote';
  readonly url: string;
  /** Never logged, never echoed in a ConfigError. */
  readonly secret: string;
  readonly credentialTtlMs: number;
}

export { ConfigError };

const defaults = {
  WARMGATE_POOL_HOST: '127.0.0.1',
  WARMGATE_POOL_PORT: '50052',
  WARMGATE_POOL_METRICS_HOST: '127.0.0.1',
  WARMGATE_POOL_METRICS_PORT: '9464',
  WARMGATE_POOL_RUNTIME: 'local',
  /** Local runtime: none (plain processes of the operator's user) | bubblewrap. */
  WARMGATE_POOL_SANDBOX: 'none',
  WARMGATE_POOL_STATE_DIR: '.warmgate/containers',
  WARMGATE_STORE_DIR: '.warmgate/store',
  WARMGATE_STORE_QUOTA: '256MiB',
  /** agent/dist/bundle/main.js while it is fresh, else agent/dist/main.js (agent-entry.ts). */
  WARMGATE_POOL_AGENT_ENTRY: '',
  // A 1 MiB young generation: 12 MiB less resident per idle process; --optimize-for-size: V8
  // keeps a working agent's heap about 40 MiB smaller (docs/benchmarks.md, footprint).
  WARMGATE_POOL_AGENT_NODE_ARGS: '--max-semi-space-size=1 --optimize-for-size',
  // Flags added after those (a profile: --cpu-prof --cpu-prof-dir=DIR). The operator's
  // NODE_OPTIONS never reaches a container: its environment is an allow-list.
  WARMGATE_POOL_AGENT_EXTRA_NODE_ARGS: 'none',
  WARMGATE_POOL_AGENT_PROCESSES: '2',
  /** The agent of profiles without `agent=`: typescript, typescript-mcp or a command's name. */
  WARMGATE_POOL_AGENT: 'typescript',
  /** JSON {"name": ["command", "arg", ...]}: MCP servers started under the agent start contract. */
  WARMGATE_POOL_AGENT_COMMANDS: '{}',
  /** Names from WARMGATE_POOL_AGENT_COMMANDS spoken to over stdio (comma-separated). */
  WARMGATE_POOL_AGENT_STDIO: '',
  /** Docker/Kubernetes: JSON {"name": "image"} or {"name": {"image", "command"}}: agents by image. */
  WARMGATE_POOL_AGENT_IMAGES: '{}',
  WARMGATE_POOL_PROFILES: 'standard:min=2:max=50',
  WARMGATE_POOL_TIERS: 'free=standard:15m,pro=standard:60m,enterprise=standard:8h',
  WARMGATE_POOL_PUBLIC_IDLE_TIMEOUT: '10m',
  /** Anonymous sessions' own capped profile (name:min=N:max=M); no tier may use it. */
  WARMGATE_POOL_PUBLIC_PROFILE: 'public:min=0:max=4',
  WARMGATE_POOL_ADAPTIVE: 'true',
  WARMGATE_POOL_SIZER: 'predictive',
  /** Empty: half of the machine's memory (os.totalmem). */
  WARMGATE_POOL_WARM_MEMORY_BUDGET: '',
  WARMGATE_POOL_WARM_CONTAINER_MEMORY: '192MiB',
  /** Kubernetes: the ConfigMap keeping the claim history; empty = <lease>-history or warmgate-pool-history. */
  WARMGATE_POOL_HISTORY_CONFIGMAP: '',
  WARMGATE_POOL_ADAPTIVE_MARGIN: '0.5',
  WARMGATE_POOL_ADAPTIVE_WINDOW: '60s',
  WARMGATE_POOL_REAP_INTERVAL: '10s',
  WARMGATE_POOL_SIZE_INTERVAL: '1s',
  // Each probe wakes both processes of every idle warm container, and it is all an idle
  // warm container does (about 12 ms of CPU per probe measured by hand, load average 14–17):
  // at 30 s that was the whole idle CPU of a warm pool. A warm container that died since is
  // caught on the claim anyway (its bind fails UNAVAILABLE and the claim takes another; the
  // Docker runtime also hears of it from Docker's events at once). 5 min: a tenth of the probes
  // (docs/benchmarks.md, footprint); a container unprobed for 10 min is checked on borrow.
  WARMGATE_POOL_HEALTH_INTERVAL: '5m',
  WARMGATE_POOL_REPLENISH_DEFER: '500ms',
  /** '' = by runtime: 2 on the local runtime (its containers share this machine's cores), 0 on Kubernetes. */
  WARMGATE_POOL_REPLENISH_CONCURRENCY: '',
  WARMGATE_POOL_BIND_TIMEOUT: '15s',
  WARMGATE_POOL_DRAIN_TIMEOUT: '20s',
  WARMGATE_POOL_STATUS_TIMEOUT: '2s',
  WARMGATE_POOL_READY_TIMEOUT: '20s',
  WARMGATE_POOL_REPLENISH_NICE: '10',
  WARMGATE_POOL_KILL_GRACE: '2s',
  WARMGATE_POOL_SHUTDOWN_GRACE: '30s',
  // Kubernetes (the chart sets these); empty = unset.
  WARMGATE_POOL_NAMESPACE: '',
  WARMGATE_POOL_POD_TEMPLATE: '',
  WARMGATE_POOL_INSTANCE: '',
  // Docker (WARMGATE_POOL_RUNTIME=docker).
  WARMGATE_POOL_DOCKER_IMAGE: 'warmgate/agent:dev',
  WARMGATE_POOL_DOCKER_LIMITS: '*:cpus=1:memory=512m:pids=256',
  WARMGATE_POOL_LEADER_LEASE: '',
  WARMGATE_POOL_IDENTITY: '',
  WARMGATE_STORE_URL: '',
  WARMGATE_STORE_SECRET: '',
  /** The deployment secret of the Pool API (or a file holding it); empty = generated. */
  WARMGATE_POOL_SECRET: '',
  WARMGATE_POOL_SECRET_FILE: '',
  /** Empty: the longest idle timeout + the drain timeout + the shutdown grace. */
  WARMGATE_STORE_CREDENTIAL_TTL: '',
  // Direct mode (the same keys the agents hold); empty = direct-mode acquires are refused.
  WARMGATE_AGENT_JWE_PRIVATE_KEY: '',
  WARMGATE_DIRECT_ISSUER_KEYS: '',
  /** The same keys from files (a mounted Secret); at most one of each pair. */
  WARMGATE_AGENT_JWE_PRIVATE_KEY_FILE: '',
  WARMGATE_DIRECT_ISSUER_KEYS_FILE: '',
  WARMGATE_POOL_DIRECT_TIER_CLAIM: 'tier',
  WARMGATE_POOL_DIRECT_DEFAULT_TIER: 'free',
} as const;

export type PoolManagerEnvName = keyof typeof defaults;

/** Every setting with its default, for the README and `--help`. */
export const settings: Readonly<Record<PoolManagerEnvName, string>> = defaults;

/** Reads and validates the configuration; throws one ConfigError listing every bad setting. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): PoolManagerConfig {
  const problems: string[] = [];
  const settings = new Settings(env, 'pool manager', problems);
  const read = (name: PoolManagerEnvName) => settings.string(name, defaults[name]);
  const check = <T>(name: PoolManagerEnvName, parse: (raw: string) => T, fallback: T): T =>
    settings.parse(name, read(name), parse, fallback);
  const duration = (name: PoolManagerEnvName) => check(name, parseDuration, 1000);
  const agentCommands = check('WARMGATE_POOL_AGENT_COMMANDS', parseAgentCommands, {});
  const agentStdio = read('WARMGATE_POOL_AGENT_STDIO')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  for (const name of agentStdio) {
    if (!(name in agentCommands)) {
      problems.push(
        `WARMGATE_POOL_AGENT_STDIO: ${name} is not a name in WARMGATE_POOL_AGENT_COMMANDS`,
      );
    }
  }
  const agentImages = check('WARMGATE_POOL_AGENT_IMAGES', parseAgentImages, {});
  const knownAgent = (agent: string) =>
    agent === 'typescript' ||
    agent === 'typescript-mcp' ||
    agent in agentCommands ||
    agent in agentImages;
  const defaultAgent = read('WARMGATE_POOL_AGENT');
  if (!knownAgent(defaultAgent)) {
    problems.push(
      `WARMGATE_POOL_AGENT=${JSON.stringify(defaultAgent)}: not typescript, typescript-mcp or a name in WARMGATE_POOL_AGENT_COMMANDS or WARMGATE_POOL_AGENT_IMAGES`,
    );
  }
  const withAgent = (profile: ProfileConfig): ProfileConfig => {
    const agent = profile.agent ?? defaultAgent;
    if (!knownAgent(agent)) {
      problems.push(
        `WARMGATE_POOL_PROFILES: profile ${profile.name} names agent ${agent}, which is not typescript, typescript-mcp or in WARMGATE_POOL_AGENT_COMMANDS or WARMGATE_POOL_AGENT_IMAGES`,
      );
    }
    return { ...profile, agent };
  };
  const profiles = check('WARMGATE_POOL_PROFILES', parseProfiles, []).map(withAgent);
  const tiers = check('WARMGATE_POOL_TIERS', parseTiers, {});
  const parsedPublic = check('WARMGATE_POOL_PUBLIC_PROFILE', parsePublicProfile, undefined);
  const publicProfile = parsedPublic && withAgent(parsedPublic);
  if (publicProfile) {
    if (profiles.some((p) => p.name === publicProfile.name)) {
      problems.push(
        `WARMGATE_POOL_PUBLIC_PROFILE: profile ${publicProfile.name} is also in WARMGATE_POOL_PROFILES; anonymous sessions need a profile of their own`,
      );
    }
    for (const [tier, { profile }] of Object.entries(tiers)) {
      if (profile === publicProfile.name) {
        problems.push(
          `WARMGATE_POOL_TIERS: tier ${tier} uses the public profile ${profile}; paying tiers must never share it with anonymous sessions`,
        );
      }
    }
  }
  for (const [tier, { profile }] of Object.entries(tiers)) {
    if (!profiles.some((p) => p.name === profile)) {
      problems.push(
        `WARMGATE_POOL_TIERS: tier ${tier} uses profile ${profile}, which WARMGATE_POOL_PROFILES does not define`,
      );
    }
  }
  const runtimeKind = check(
    'WARMGATE_POOL_RUNTIME',
    (raw) => {
      if (raw !== 'local' && raw !== 'kubernetes' && raw !== 'docker') {
        throw new Error('expected local, docker or kubernetes');
      }
      return raw;
    },
    'local' as const,
  );
  // Where each agent can run: the local runtime starts commands, Docker and Kubernetes
  // start images (typescript-mcp is the agent image's role `mcp`).
  for (const profile of publicProfile ? [...profiles, publicProfile] : profiles) {
    const agent = profile.agent ?? defaultAgent;
    if (!knownAgent(agent) || agent === 'typescript') continue;
    const runs =
      runtimeKind === 'local'
        ? agent === 'typescript-mcp' || agent in agentCommands
        : agent === 'typescript-mcp' || agent in agentImages;
    if (!runs) {
      problems.push(
        runtimeKind === 'local'
          ? `WARMGATE_POOL_PROFILES: profile ${profile.name} names agent ${agent}, which has an image but no command; the local runtime starts the commands of WARMGATE_POOL_AGENT_COMMANDS`
          : `WARMGATE_POOL_PROFILES: profile ${profile.name} names agent ${agent}, which has no image in WARMGATE_POOL_AGENT_IMAGES (WARMGATE_POOL_RUNTIME=${runtimeKind} starts images)`,
      );
    }
  }
  if (runtimeKind !== 'local' && agentStdio.length > 0) {
    problems.push(
      `WARMGATE_POOL_AGENT_STDIO: only with WARMGATE_POOL_RUNTIME=local (a container's agent is reached over its own loopback)`,
    );
  }
  const required = (name: PoolManagerEnvName, why: string): string => {
    const value = read(name);
    if (value === '') problems.push(`${name}: required ${why}`);
    return value;
  };
  const sizer = check('WARMGATE_POOL_SIZER', parseSizer, 'predictive' as const);
  const adaptiveOn = check('WARMGATE_POOL_ADAPTIVE', parseBoolean, true) && sizer !== 'fixed';
  const budget = read('WARMGATE_POOL_WARM_MEMORY_BUDGET');
  const budgetBytes =
    budget === ''
      ? Math.floor(totalmem() / 2)
      : check('WARMGATE_POOL_WARM_MEMORY_BUDGET', parseBytes, totalmem());
  const perContainer = check(
    'WARMGATE_POOL_WARM_CONTAINER_MEMORY',
    parseBytes,
    defaultWarmContainerBytes,
  );
  const config: PoolManagerConfig = {
    host: read('WARMGATE_POOL_HOST'),
    port: check('WARMGATE_POOL_PORT', parsePort, 0),
    metrics: {
      host: read('WARMGATE_POOL_METRICS_HOST'),
      port: check('WARMGATE_POOL_METRICS_PORT', parsePort, 0),
    },
    runtime: {
      kind: runtimeKind,
      stateDir: resolve(read('WARMGATE_POOL_STATE_DIR')),
      agentEntry: read('WARMGATE_POOL_AGENT_ENTRY')
        ? resolve(read('WARMGATE_POOL_AGENT_ENTRY'))
        : defaultAgentEntry(fileURLToPath(new URL('../../agent/dist/main.js', import.meta.url))),
      agentNodeArgs: [
        ...check('WARMGATE_POOL_AGENT_NODE_ARGS', parseNodeArgs, []),
        ...check('WARMGATE_POOL_AGENT_EXTRA_NODE_ARGS', parseNodeArgs, []),
      ],
      agentProcesses: check('WARMGATE_POOL_AGENT_PROCESSES', parseProcessCount, 2),
      agentCommands,
      agentStdio,
      agentImages,
      killGraceMs: duration('WARMGATE_POOL_KILL_GRACE'),
      readyTimeoutMs: duration('WARMGATE_POOL_READY_TIMEOUT'),
      replenishNice: check(
        'WARMGATE_POOL_REPLENISH_NICE',
        (raw) => parseInteger(raw, { min: 0, max: 19 }),
        10,
      ),
      ...(runtimeKind === 'kubernetes' ? { kubernetes: kubernetesOf(read, required) } : {}),
    },
    ...leaderOf(read, required, runtimeKind, problems),
    store: {
      kind: 'embedded',
      dir: resolve(read('WARMGATE_STORE_DIR')),
      quotaBytes: check('WARMGATE_STORE_QUOTA', parseBytes, 0),
    },
    shutdownGraceMs: duration('WARMGATE_POOL_SHUTDOWN_GRACE'),
    history: historyOf(read, runtimeKind, problems),
    core: {
      profiles: publicProfile ? [...profiles, publicProfile] : profiles,
      tiers,
      ...(publicProfile ? { publicProfile: publicProfile.name } : {}),
      publicIdleTimeoutMs: duration('WARMGATE_POOL_PUBLIC_IDLE_TIMEOUT'),
      adaptive: {
        enabled: adaptiveOn,
        sizer: sizer === 'predictive' ? 'predictive' : 'adaptive',
        margin: check(
          'WARMGATE_POOL_ADAPTIVE_MARGIN',
          (raw) => parseNumber(raw, { min: 0, max: 10 }),
          0.5,
        ),
        windowMs: duration('WARMGATE_POOL_ADAPTIVE_WINDOW'),
        initialCreateMs: 1000,
      },
      timeouts: {
        bindMs: duration('WARMGATE_POOL_BIND_TIMEOUT'),
        drainMs: duration('WARMGATE_POOL_DRAIN_TIMEOUT'),
        statusMs: duration('WARMGATE_POOL_STATUS_TIMEOUT'),
        waitMs: duration('WARMGATE_POOL_READY_TIMEOUT'),
      },
      reapIntervalMs: duration('WARMGATE_POOL_REAP_INTERVAL'),
      healthIntervalMs: check('WARMGATE_POOL_HEALTH_INTERVAL', parseDurationOrZero, 5000),
      replenishDeferMs: check('WARMGATE_POOL_REPLENISH_DEFER', parseDurationOrZero, 500),
      replenishConcurrency: check(
        'WARMGATE_POOL_REPLENISH_CONCURRENCY',
        (raw) =>
          raw === '' ? (runtimeKind === 'local' ? 2 : 0) : parseInteger(raw, { min: 0, max: 1000 }),
        0,
      ),
      sizeIntervalMs: duration('WARMGATE_POOL_SIZE_INTERVAL'),
      maxWarmTotal: Math.max(1, Math.floor(budgetBytes / perContainer)),
      createFailureBackoffMs: 1000,
      watchIntervalMs: 250,
    },
  };
  const store = remoteStoreOf(read, config, problems);
  const docker =
    runtimeKind === 'docker'
      ? {
          image: read('WARMGATE_POOL_DOCKER_IMAGE'),
          limits: check('WARMGATE_POOL_DOCKER_LIMITS', parseDockerLimits, {}),
          storeCredentialTtlMs: credentialTtlOf(config),
        }
      : undefined;
  const sandbox = read('WARMGATE_POOL_SANDBOX');
  if (sandbox !== 'none' && sandbox !== 'bubblewrap') {
    problems.push(`WARMGATE_POOL_SANDBOX=${JSON.stringify(sandbox)}: expected none or bubblewrap`);
  } else if (sandbox === 'bubblewrap' && runtimeKind !== 'local') {
    problems.push('WARMGATE_POOL_SANDBOX=bubblewrap: only with WARMGATE_POOL_RUNTIME=local');
  } else if (sandbox === 'bubblewrap' && store) {
    problems.push(
      'WARMGATE_STORE_URL: not used with WARMGATE_POOL_SANDBOX=bubblewrap (it serves the embedded store)',
    );
  }
  const bubblewrap =
    sandbox === 'bubblewrap' && runtimeKind === 'local'
      ? { storeCredentialTtlMs: credentialTtlOf(config) }
      : undefined;
  if (docker && store) {
    problems.push(
      'WARMGATE_STORE_URL: not used with WARMGATE_POOL_RUNTIME=docker (it serves the embedded store)',
    );
  }
  const direct = directOf(read, tiers, problems);
  const secret = settings.secret('WARMGATE_POOL_SECRET', 32);
  if (secret === undefined && runtimeKind === 'kubernetes') {
    problems.push(
      'WARMGATE_POOL_SECRET or WARMGATE_POOL_SECRET_FILE: required with WARMGATE_POOL_RUNTIME=kubernetes',
    );
  }
  settings.finish();
  const withDocker = docker
    ? { ...config, runtime: { ...config.runtime, docker } }
    : bubblewrap
      ? { ...config, runtime: { ...config.runtime, bubblewrap } }
      : config;
  return {
    ...withDocker,
    ...(store === undefined ? {} : { store }),
    ...(direct === undefined ? {} : { direct }),
    ...(secret === undefined ? {} : { secret }),
  };
}

/** The longest a binding can live: the longest idle timeout + the drain + the shutdown grace. */
function credentialTtlOf(config: PoolManagerConfig): number {
  const { core } = config;
  const longestIdleMs = Math.max(
    core.publicIdleTimeoutMs,
    ...Object.values(core.tiers).map((t) => t.idleTimeoutMs),
  );
  return longestIdleMs + core.timeouts.drainMs + config.shutdownGraceMs;
}

type Read = (name: PoolManagerEnvName) => string;

/**
 * Both keys set: direct-mode acquires are verified here. Otherwise (neither, or only the JWE
 * key, which the local runtime also hands to agents) direct-mode acquires are refused.
 */
function directOf(
  read: Read,
  tiers: Record<string, TierConfig>,
  problems: string[],
): DirectModeConfig | undefined {
  const jwePrivateKey = readValueOrFile(
    read,
    'WARMGATE_AGENT_JWE_PRIVATE_KEY',
    'WARMGATE_AGENT_JWE_PRIVATE_KEY_FILE',
    problems,
  );
  const issuerKeys = readValueOrFile(
    read,
    'WARMGATE_DIRECT_ISSUER_KEYS',
    'WARMGATE_DIRECT_ISSUER_KEYS_FILE',
    problems,
  );
  if (jwePrivateKey === '' || issuerKeys === '') return undefined;
  const defaultTier = read('WARMGATE_POOL_DIRECT_DEFAULT_TIER');
  if (!(defaultTier in tiers)) {
    problems.push(`WARMGATE_POOL_DIRECT_DEFAULT_TIER: ${defaultTier} is not a tier`);
  }
  return {
    jwePrivateKey,
    issuerKeys,
    tierClaim: read('WARMGATE_POOL_DIRECT_TIER_CLAIM'),
    defaultTier,
  };
}
type Required = (name: PoolManagerEnvName, why: string) => string;

function historyOf(
  read: Read,
  runtimeKind: 'local' | 'kubernetes' | 'docker',
  problems: string[],
): HistoryConfig {
  // Local and Docker keep it in the state dir, beside the containers' folders.
  if (runtimeKind !== 'kubernetes')
    return { kind: 'file', dir: resolve(read('WARMGATE_POOL_STATE_DIR')) };
  const lease = read('WARMGATE_POOL_LEADER_LEASE');
  const name =
    read('WARMGATE_POOL_HISTORY_CONFIGMAP') ||
    (lease ? `${lease}-history` : 'warmgate-pool-history');
  if (!/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(name)) {
    problems.push(
      `WARMGATE_POOL_HISTORY_CONFIGMAP=${JSON.stringify(name)}: not a valid object name`,
    );
  }
  return { kind: 'configmap', namespace: read('WARMGATE_POOL_NAMESPACE') || 'default', name };
}

function parseSizer(raw: string): 'predictive' | 'adaptive' | 'fixed' {
  if (raw === 'predictive' || raw === 'adaptive' || raw === 'fixed') return raw;
  throw new Error('expected predictive, adaptive or fixed');
}

/** "512MiB", "4GiB", "1.5GiB", or a number of bytes. */
export function parseBytes(raw: string): number {
  const match = /^(\d+(?:\.\d+)?)(B|KiB|MiB|GiB)?$/.exec(raw);
  if (!match) throw new Error('expected a size like 512MiB or 4GiB');
  const unit = { B: 1, KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30 }[match[2] ?? 'B']!;
  const bytes = Math.round(Number(match[1]) * unit);
  if (bytes <= 0) throw new Error('must be positive');
  return bytes;
}

function kubernetesOf(read: Read, required: Required): KubernetesRuntimeConfig {
  const why = 'with WARMGATE_POOL_RUNTIME=kubernetes';
  const podTemplate = required('WARMGATE_POOL_POD_TEMPLATE', why);
  const instance = read('WARMGATE_POOL_INSTANCE');
  return {
    namespace: required('WARMGATE_POOL_NAMESPACE', why),
    podTemplatePath: podTemplate && resolve(podTemplate),
    ...(instance ? { instance } : {}),
  };
}

function leaderOf(
  read: Read,
  required: Required,
  runtimeKind: 'local' | 'kubernetes' | 'docker',
  problems: string[],
): { leader?: PoolManagerConfig['leader'] } {
  const lease = read('WARMGATE_POOL_LEADER_LEASE');
  if (lease === '') return {};
  if (runtimeKind !== 'kubernetes') {
    problems.push('WARMGATE_POOL_LEADER_LEASE: needs WARMGATE_POOL_RUNTIME=kubernetes');
  }
  // The lease is a Kubernetes object name (RFC 1123 subdomain).
  if (!/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(lease)) {
    problems.push(`WARMGATE_POOL_LEADER_LEASE=${JSON.stringify(lease)}: not a valid object name`);
  }
  const identity = required('WARMGATE_POOL_IDENTITY', 'with WARMGATE_POOL_LEADER_LEASE');
  return { leader: { lease, identity } };
}

/**
 * WARMGATE_STORE_URL set: binds go through the Kubernetes repo store. The secret's value is
 * never put in a message. The credential must outlive a binding up to its final push at drain
 * (DrainRequest carries no fresh one), hence the default TTL.
 */
function remoteStoreOf(
  read: Read,
  config: PoolManagerConfig,
  problems: string[],
): RemoteStoreConfig | undefined {
  const url = read('WARMGATE_STORE_URL');
  if (url === '') return undefined;
  if (!/^https?:\/\/[^\s/]+(\/\S*)?$/.test(url)) {
    problems.push(`WARMGATE_STORE_URL=${JSON.stringify(url)}: expected an http(s) URL`);
  }
  const secret = read('WARMGATE_STORE_SECRET');
  if (secret.length < 32) {
    problems.push('WARMGATE_STORE_SECRET: must be set to a secret of at least 32 characters');
  }
  const { core } = config;
  const longestIdleMs = Math.max(
    core.publicIdleTimeoutMs,
    ...Object.values(core.tiers).map((t) => t.idleTimeoutMs),
  );
  let credentialTtlMs = longestIdleMs + core.timeouts.drainMs + config.shutdownGraceMs;
  const ttl = read('WARMGATE_STORE_CREDENTIAL_TTL');
  if (ttl !== '') {
    try {
      credentialTtlMs = parseDuration(ttl);
    } catch (error) {
      problems.push(
        `WARMGATE_STORE_CREDENTIAL_TTL=${JSON.stringify(ttl)}: ${(error as Error).message}`,
      );
    }
  }
  return { kind: 'remote', url, secret, credentialTtlMs };
}

/** A value from a variable or from a file it names (at most one of the two); '' = unset. */
function readValueOrFile(
  read: Read,
  name: PoolManagerEnvName,
  fileName: PoolManagerEnvName,
  problems: string[],
): string {
  const value = read(name);
  const file = read(fileName);
  if (value !== '' && file !== '') {
    problems.push(`${name} and ${fileName}: set at most one`);
    return '';
  }
  if (file === '') return value;
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (error) {
    problems.push(`${fileName}=${JSON.stringify(file)}: ${(error as Error).message}`);
    return '';
  }
}

/** "500ms", "30s", "15m", "8h", or a number of milliseconds; more than zero. */
export function parseDuration(raw: string): number {
  return parseDurationOf(raw, { min: 1 });
}

/** A duration, where 0 turns the thing off. */
function parseDurationOrZero(raw: string): number {
  return parseDurationOf(raw, { min: 0 });
}

const namePattern = /^[a-z][a-z0-9-]{0,39}$/;

/** "standard:min=2:max=50,large:min=0:max=5,py:min=1:max=5:agent=python" */
export function parseProfiles(raw: string): ProfileConfig[] {
  const profiles = raw.split(',').map((entry) => {
    const [name = '', ...options] = entry.trim().split(':');
    if (!namePattern.test(name))
      throw new Error(`profile name "${name}" must match ${namePattern}`);
    const values: Record<string, number> = { min: 0, max: 10 };
    let agent: string | undefined;
    for (const option of options) {
      const [key = '', value = ''] = option.split('=');
      if (key === 'agent') {
        if (!namePattern.test(value)) {
          throw new Error(`profile ${name}: agent "${value}" must match ${namePattern}`);
        }
        agent = value;
        continue;
      }
      if (!(key in values)) {
        throw new Error(`profile ${name}: unknown option "${key}" (min, max, agent)`);
      }
      values[key] = Number(value);
      if (!Number.isInteger(values[key]) || values[key]! < 0) {
        throw new Error(`profile ${name}: ${key} must be a whole number ≥ 0`);
      }
    }
    if (values.max! < 1 || values.min! > values.max!) {
      throw new Error(`profile ${name}: need 0 ≤ min ≤ max and max ≥ 1`);
    }
    return { name, minWarm: values.min!, maxTotal: values.max!, ...(agent ? { agent } : {}) };
  });
  if (new Set(profiles.map((p) => p.name)).size !== profiles.length) {
    throw new Error('profile names must be unique');
  }
  return profiles;
}

/** One profile, "public:min=0:max=4". */
function parsePublicProfile(raw: string): ProfileConfig {
  const [profile, ...more] = parseProfiles(raw);
  if (!profile || more.length > 0) throw new Error('expected one profile, e.g. public:min=0:max=4');
  return profile;
}

/** "--max-semi-space-size=1 --max-old-space-size=256": Node/V8 flags, space-separated; "none" = no flags. */
export function parseNodeArgs(raw: string): string[] {
  if (raw.trim() === 'none') return [];
  const args = raw.trim().split(/\s+/);
  for (const arg of args) {
    if (!/^--[a-z0-9-_]+(=[A-Za-z0-9._:/-]+)?$/.test(arg)) {
      throw new Error(`"${arg}" is not a Node flag (--name or --name=value)`);
    }
  }
  return args;
}

/** {"python": ["/path/python", "-m", "agent"]}: each a non-empty array of strings. */
export function parseAgentCommands(raw: string): Record<string, string[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error('expected JSON, e.g. {"python": ["/opt/agent/bin/python", "-m", "agent"]}');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error('expected a JSON object of name → command array');
  }
  const commands: Record<string, string[]> = {};
  for (const [name, command] of Object.entries(parsed)) {
    if (!namePattern.test(name)) throw new Error(`agent name "${name}" must match ${namePattern}`);
    if (name === 'typescript' || name === 'typescript-mcp') {
      throw new Error(`agent name ${name} is built in`);
    }
    if (
      !Array.isArray(command) ||
      command.length === 0 ||
      !command.every((part) => typeof part === 'string' && part !== '')
    ) {
      throw new Error(`agent ${name}: expected a non-empty array of non-empty strings`);
    }
    commands[name] = command as string[];
  }
  return commands;
}

function parseProcessCount(raw: string): 1 | 2 {
  if (raw === '1' || raw === '2') return Number(raw) as 1 | 2;
  throw new Error('must be 1 (agent and sidecar in one process) or 2');
}

/** "free=standard:15m,pro=standard:60m" (tier=profile:idle timeout) */
export function parseTiers(raw: string): Record<string, TierConfig> {
  const tiers: Record<string, TierConfig> = {};
  for (const entry of raw.split(',')) {
    const match = /^([a-z][a-z0-9-]*)=([a-z][a-z0-9-]*):(\S+)$/.exec(entry.trim());
    if (!match) throw new Error(`"${entry}" is not tier=profile:timeout (e.g. free=standard:15m)`);
    tiers[match[1]!] = { profile: match[2]!, idleTimeoutMs: parseDuration(match[3]!) };
  }
  return tiers;
}
