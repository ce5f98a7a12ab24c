// Per-profile resource limits of agent containers on Docker, from WARMGATE_POOL_DOCKER_LIMITS:
//   "*:cpus=1:memory=512m:pids=256,large:cpus=2:memory=2g:pids=512"
// `*` is the default for profiles without their own entry. Parsed here (pure), applied in
// container-spec.ts, and checked against the daemon at start-up (start-docker.ts).

export interface DockerLimits {
  /** CPUs (Docker NanoCpus / 1e9). */
  readonly cpus: number;
  readonly memoryBytes: number;
  readonly pids: number;
}

export const DEFAULT_DOCKER_LIMITS: DockerLimits = {
  cpus: 1,
  memoryBytes: 512 * 2 ** 20,
  pids: 256,
};

export type LimitsByProfile = Readonly<Record<string, DockerLimits>>;

export function parseDockerLimits(raw: string): LimitsByProfile {
  const byProfile: Record<string, DockerLimits> = { '*': DEFAULT_DOCKER_LIMITS };
  if (raw.trim() === '') return byProfile;
  for (const entry of raw.split(',')) {
    const [name = '', ...options] = entry.trim().split(':');
    if (name !== '*' && !/^[a-z][a-z0-9-]{0,39}$/.test(name)) {
      throw new Error(`"${name}" is not a profile name or *`);
    }
    const limits = { ...(byProfile['*'] ?? DEFAULT_DOCKER_LIMITS) };
    for (const option of options) {
      const [key = '', value = ''] = option.split('=');
      if (key === 'cpus') limits.cpus = positive(value, `${name}: cpus`);
      else if (key === 'memory') limits.memoryBytes = parseBytes(value, `${name}: memory`);
      else if (key === 'pids') limits.pids = Math.round(positive(value, `${name}: pids`));
      else throw new Error(`${name}: unknown option "${key}" (cpus, memory, pids)`);
    }
    byProfile[name] = limits;
  }
  return byProfile;
}

export function limitsFor(byProfile: LimitsByProfile, profile: string): DockerLimits {
  return byProfile[profile] ?? byProfile['*'] ?? DEFAULT_DOCKER_LIMITS;
}

function positive(raw: string, what: string): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${what} must be a number > 0`);
  return value;
}

/** "512m", "2g", "65536k" or bytes. */
export function parseBytes(raw: string, what: string): number {
  const match = /^(\d+(?:\.\d+)?)([kmg]?)$/i.exec(raw.trim());
  if (!match) throw new Error(`${what} must be bytes or a size like 512m or 2g`);
  const unit = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30 }[match[2]!.toLowerCase()]!;
  return Math.round(Number(match[1]) * unit);
}
