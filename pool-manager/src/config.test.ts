import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { totalmem } from 'node:os';
import { ConfigError, defaultWarmContainerBytes, loadConfig, parseDuration } from './config.js';

describe('loadConfig', () => {
  it('has working defaults', () => {
    const config = loadConfig({});
    expect(config.port).toBe(50052);
    expect(config.host).toBe('127.0.0.1');
    expect(config.metrics.port).toBe(9464);
    expect(config.core.profiles).toEqual([
      { name: 'standard', minWarm: 2, maxTotal: 50, agent: 'typescript' },
      { name: 'public', minWarm: 0, maxTotal: 4, agent: 'typescript' },
    ]);
    expect(config.core.publicProfile).toBe('public');
    expect(config.core.tiers.free).toEqual({ profile: 'standard', idleTimeoutMs: 15 * 60_000 });
    expect(config.core.tiers.enterprise!.idleTimeoutMs).toBe(8 * 3_600_000);
    expect(config.core.publicIdleTimeoutMs).toBe(10 * 60_000);
    expect(config.runtime.agentEntry).toMatch(/agent\/dist\/(bundle\/)?main\.js$/);
  });

  it('picks the sizer and bounds warm containers by memory', () => {
    const defaults = loadConfig({});
    expect(defaults.core.adaptive).toMatchObject({ enabled: true, sizer: 'predictive' });
    expect(defaults.core.maxWarmTotal).toBe(
      Math.max(1, Math.floor(totalmem() / 2 / defaultWarmContainerBytes)),
    );
    expect(defaults.history).toEqual({ kind: 'file', dir: defaults.runtime.stateDir });
    const reactive = loadConfig({
      WARMGATE_POOL_SIZER: 'adaptive',
      WARMGATE_POOL_WARM_MEMORY_BUDGET: '4GiB',
      WARMGATE_POOL_WARM_CONTAINER_MEMORY: '256MiB',
    });
    expect(reactive.core.adaptive).toMatchObject({ enabled: true, sizer: 'adaptive' });
    expect(reactive.core.maxWarmTotal).toBe(16);
    expect(loadConfig({ WARMGATE_POOL_SIZER: 'fixed' }).core.adaptive.enabled).toBe(false);
    // The older switch still turns sizing off.
    expect(loadConfig({ WARMGATE_POOL_ADAPTIVE: 'false' }).core.adaptive.enabled).toBe(false);
    expect(() =>
      loadConfig({
        WARMGATE_POOL_SIZER: 'psychic',
        WARMGATE_POOL_WARM_MEMORY_BUDGET: 'lots',
        WARMGATE_POOL_WARM_CONTAINER_MEMORY: '0MiB',
      }),
    ).toThrow(
      /WARMGATE_POOL_SIZER="psychic": expected predictive, adaptive or fixed[\s\S]*WARMGATE_POOL_WARM_MEMORY_BUDGET="lots": expected a size[\s\S]*WARMGATE_POOL_WARM_CONTAINER_MEMORY="0MiB": must be positive/,
    );
  });

  it('keeps the claim history in a ConfigMap on Kubernetes', () => {
    const env = {
      WARMGATE_POOL_RUNTIME: 'kubernetes',
      WARMGATE_POOL_NAMESPACE: 'agents',
      WARMGATE_POOL_POD_TEMPLATE: '/etc/warmgate/pod.json',
      WARMGATE_POOL_SECRET: 'p'.repeat(32),
    };
    expect(loadConfig(env).history).toEqual({
      kind: 'configmap',
      namespace: 'agents',
      name: 'warmgate-pool-history',
    });
    expect(
      loadConfig({
        ...env,
        WARMGATE_POOL_LEADER_LEASE: 'wg-pool',
        WARMGATE_POOL_IDENTITY: 'pod-1',
      }).history,
    ).toMatchObject({ name: 'wg-pool-history' });
    expect(() => loadConfig({ ...env, WARMGATE_POOL_HISTORY_CONFIGMAP: 'Bad_Name' })).toThrow(
      /WARMGATE_POOL_HISTORY_CONFIGMAP="Bad_Name": not a valid object name/,
    );
  });

  it('reads profiles and tiers', () => {
    const config = loadConfig({
      WARMGATE_POOL_PROFILES: 'small:min=1:max=4,large:min=0:max=2',
      WARMGATE_POOL_TIERS: 'free=small:90s,enterprise=large:8h',
    });
    expect(config.core.profiles.map((p) => p.name)).toEqual(['small', 'large', 'public']);
    expect(config.core.tiers.free).toEqual({ profile: 'small', idleTimeoutMs: 90_000 });
  });

  it('names every bad setting in one error', () => {
    let error: unknown;
    try {
      loadConfig({
        WARMGATE_POOL_PORT: '70000',
        WARMGATE_POOL_BIND_TIMEOUT: 'soon',
        WARMGATE_POOL_TIERS: 'free=missing:15m',
        WARMGATE_POOL_PROFILES: 'standard:min=5:max=2',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const name of [
      'WARMGATE_POOL_PORT',
      'WARMGATE_POOL_BIND_TIMEOUT',
      'WARMGATE_POOL_TIERS',
      'WARMGATE_POOL_PROFILES',
    ]) {
      expect(message).toContain(name);
    }
  });

  it("names each profile's agent: the default, a profile's own, a command; refuses unknown ones", () => {
    const config = loadConfig({
      WARMGATE_POOL_AGENT: 'typescript-mcp',
      WARMGATE_POOL_AGENT_COMMANDS: '{"python": ["/opt/py/bin/python", "-m", "agent"]}',
      WARMGATE_POOL_PROFILES: 'standard:min=1:max=5,py:min=0:max=3:agent=python',
    });
    expect(config.core.profiles.map((p) => [p.name, p.agent])).toEqual([
      ['standard', 'typescript-mcp'],
      ['py', 'python'],
      ['public', 'typescript-mcp'],
    ]);
    expect(config.runtime.agentCommands).toEqual({
      python: ['/opt/py/bin/python', '-m', 'agent'],
    });
    expect(
      loadConfig({
        WARMGATE_POOL_AGENT_COMMANDS: '{"python": ["/opt/py/bin/agent"]}',
        WARMGATE_POOL_AGENT_STDIO: 'python',
      }).runtime.agentStdio,
    ).toEqual(['python']);
    expect(() => loadConfig({ WARMGATE_POOL_AGENT_STDIO: 'python' })).toThrow(
      /WARMGATE_POOL_AGENT_STDIO: python is not a name in WARMGATE_POOL_AGENT_COMMANDS/,
    );
    expect(() => loadConfig({ WARMGATE_POOL_AGENT: 'cobol' })).toThrow(/WARMGATE_POOL_AGENT=/);
    expect(() => loadConfig({ WARMGATE_POOL_PROFILES: 'standard:agent=nope' })).toThrow(
      /profile standard names agent nope/,
    );
    expect(() => loadConfig({ WARMGATE_POOL_AGENT_COMMANDS: '{"python": "python"}' })).toThrow(
      /WARMGATE_POOL_AGENT_COMMANDS.*non-empty array/,
    );
  });

  it('names agents by image for Docker and Kubernetes; each runtime starts only what it can', () => {
    const images =
      '{"python": "warmgate/agent-py:dev", "r": {"image": "r:1", "command": ["serve"]}}';
    const config = loadConfig({
      WARMGATE_POOL_RUNTIME: 'docker',
      WARMGATE_POOL_AGENT: 'python',
      WARMGATE_POOL_AGENT_IMAGES: images,
      WARMGATE_POOL_PROFILES: 'standard:min=1:max=5,ts:min=0:max=2:agent=typescript-mcp',
    });
    expect(config.core.profiles.map((p) => [p.name, p.agent])).toEqual([
      ['standard', 'python'],
      ['ts', 'typescript-mcp'],
      ['public', 'python'],
    ]);
    expect(config.runtime.agentImages).toEqual({
      python: { image: 'warmgate/agent-py:dev' },
      r: { image: 'r:1', command: ['serve'] },
    });
    // An image is no command for the local runtime, and a command no image for Docker.
    expect(() =>
      loadConfig({ WARMGATE_POOL_AGENT: 'python', WARMGATE_POOL_AGENT_IMAGES: images }),
    ).toThrow(/agent python, which has an image but no command/);
    expect(() =>
      loadConfig({
        WARMGATE_POOL_RUNTIME: 'docker',
        WARMGATE_POOL_AGENT: 'python',
        WARMGATE_POOL_AGENT_COMMANDS: '{"python": ["/opt/py/bin/agent"]}',
      }),
    ).toThrow(/agent python, which has no image in WARMGATE_POOL_AGENT_IMAGES/);
    expect(() =>
      loadConfig({ WARMGATE_POOL_RUNTIME: 'docker', WARMGATE_POOL_AGENT_IMAGES: '{"py": 3}' }),
    ).toThrow(/WARMGATE_POOL_AGENT_IMAGES.*agent py: "image"/);
    expect(() =>
      loadConfig({
        WARMGATE_POOL_RUNTIME: 'docker',
        WARMGATE_POOL_AGENT_IMAGES: '{"typescript": "x:1"}',
      }),
    ).toThrow(/built in/);
    expect(() =>
      loadConfig({
        WARMGATE_POOL_RUNTIME: 'docker',
        WARMGATE_POOL_AGENT_COMMANDS: '{"py": ["/opt/py/bin/agent"]}',
        WARMGATE_POOL_AGENT_STDIO: 'py',
      }),
    ).toThrow(/WARMGATE_POOL_AGENT_STDIO: only with WARMGATE_POOL_RUNTIME=local/);
  });

  it('keeps the public profile apart from every paying tier', () => {
    expect(() => loadConfig({ WARMGATE_POOL_TIERS: 'free=public:15m' })).toThrow(
      /WARMGATE_POOL_TIERS: tier free uses the public profile/,
    );
    expect(() => loadConfig({ WARMGATE_POOL_PROFILES: 'public:min=0:max=9' })).toThrow(
      /WARMGATE_POOL_PUBLIC_PROFILE/,
    );
    expect(() => loadConfig({ WARMGATE_POOL_PUBLIC_PROFILE: 'a:max=1,b:max=1' })).toThrow(
      /WARMGATE_POOL_PUBLIC_PROFILE/,
    );
  });

  it('passes Node flags to the local runtime; "none" for none; refuses what is not a flag', () => {
    expect(loadConfig({}).runtime.agentNodeArgs).toEqual([
      '--max-semi-space-size=1',
      '--optimize-for-size',
    ]);
    expect(
      loadConfig({
        WARMGATE_POOL_AGENT_NODE_ARGS: '--max-semi-space-size=2 --max-old-space-size=96',
      }).runtime.agentNodeArgs,
    ).toEqual(['--max-semi-space-size=2', '--max-old-space-size=96']);
    expect(loadConfig({ WARMGATE_POOL_AGENT_NODE_ARGS: 'none' }).runtime.agentNodeArgs).toEqual([]);
    // Extra flags come after the defaults, which they leave in place.
    expect(
      loadConfig({ WARMGATE_POOL_AGENT_EXTRA_NODE_ARGS: '--cpu-prof --cpu-prof-dir=/tmp/prof' })
        .runtime.agentNodeArgs,
    ).toEqual([
      '--max-semi-space-size=1',
      '--optimize-for-size',
      '--cpu-prof',
      '--cpu-prof-dir=/tmp/prof',
    ]);
    expect(() => loadConfig({ WARMGATE_POOL_AGENT_EXTRA_NODE_ARGS: '--inspect $(id)' })).toThrow(
      /WARMGATE_POOL_AGENT_EXTRA_NODE_ARGS.*not a Node flag/,
    );
    expect(loadConfig({}).runtime.agentProcesses).toBe(2);
    expect(loadConfig({ WARMGATE_POOL_AGENT_PROCESSES: '1' }).runtime.agentProcesses).toBe(1);
    expect(() => loadConfig({ WARMGATE_POOL_AGENT_PROCESSES: '3' })).toThrow(
      /WARMGATE_POOL_AGENT_PROCESSES.*must be 1/,
    );
    expect(() => loadConfig({ WARMGATE_POOL_AGENT_NODE_ARGS: '--inspect; rm -rf /' })).toThrow(
      /WARMGATE_POOL_AGENT_NODE_ARGS.*not a Node flag/,
    );
  });

  it('bounds the replacements started at once: 2 on the local runtime by default, as set, or refused', () => {
    expect(loadConfig({}).core.replenishConcurrency).toBe(2);
    expect(loadConfig({ WARMGATE_POOL_REPLENISH_CONCURRENCY: '0' }).core.replenishConcurrency).toBe(
      0,
    );
    expect(() => loadConfig({ WARMGATE_POOL_REPLENISH_CONCURRENCY: '1.5' })).toThrow(
      /WARMGATE_POOL_REPLENISH_CONCURRENCY="1.5": expected a whole number from 0 to 1000/,
    );
  });

  it('rejects a runtime it does not have', () => {
    expect(() => loadConfig({ WARMGATE_POOL_RUNTIME: 'podman' })).toThrow(/WARMGATE_POOL_RUNTIME/);
  });

  it('reads the Docker runtime settings and names a bad limit', () => {
    const config = loadConfig({ WARMGATE_POOL_RUNTIME: 'docker' });
    expect(config.runtime.docker?.image).toBe('warmgate/agent:dev');
    expect(config.runtime.docker?.limits['*']?.pids).toBe(256);
    expect(() =>
      loadConfig({ WARMGATE_POOL_RUNTIME: 'docker', WARMGATE_POOL_DOCKER_LIMITS: '*:cpus=x' }),
    ).toThrow(/WARMGATE_POOL_DOCKER_LIMITS/);
  });
});

describe('loadConfig: Kubernetes', () => {
  const secret = 's3cret-'.repeat(6);
  const kube = {
    WARMGATE_POOL_RUNTIME: 'kubernetes',
    WARMGATE_POOL_NAMESPACE: 'warmgate',
    WARMGATE_POOL_POD_TEMPLATE: '/etc/warmgate/pool/agent-pod.json',
    WARMGATE_POOL_INSTANCE: 'wg',
    WARMGATE_POOL_SECRET: 'pool-secret-'.repeat(3),
  };
  const problemsOf = (env: Record<string, string>): string => {
    try {
      loadConfig(env);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    throw new Error('expected a ConfigError');
  };

  it('leaves replacements unbounded on Kubernetes (the scheduler spreads the pods)', () => {
    expect(
      loadConfig({
        ...kube,
        WARMGATE_STORE_URL: 'http://store:8081',
        WARMGATE_STORE_SECRET: secret,
      }).core.replenishConcurrency,
    ).toBe(0);
  });

  it('reads the runtime, the leader lease and the remote store as the chart sets them', () => {
    const config = loadConfig({
      ...kube,
      WARMGATE_POOL_READY_TIMEOUT: '45s',
      WARMGATE_POOL_LEADER_LEASE: 'wg-warmgate-pool-manager',
      WARMGATE_POOL_IDENTITY: 'wg-warmgate-pool-manager-7d9-abcde',
      WARMGATE_STORE_URL: 'http://wg-warmgate-repo-store:8081',
      WARMGATE_STORE_SECRET: secret,
      WARMGATE_STORE_CREDENTIAL_TTL: '12h',
    });
    expect(config.runtime.kind).toBe('kubernetes');
    expect(config.runtime.readyTimeoutMs).toBe(45_000);
    expect(config.runtime.kubernetes).toEqual({
      namespace: 'warmgate',
      podTemplatePath: '/etc/warmgate/pool/agent-pod.json',
      instance: 'wg',
    });
    expect(config.leader).toEqual({
      lease: 'wg-warmgate-pool-manager',
      identity: 'wg-warmgate-pool-manager-7d9-abcde',
    });
    expect(config.store).toEqual({
      kind: 'remote',
      url: 'http://wg-warmgate-repo-store:8081',
      secret,
      credentialTtlMs: 12 * 3_600_000,
    });
  });

  it('defaults to the local runtime, no election and the embedded store', () => {
    const config = loadConfig({ WARMGATE_STORE_DIR: '/tmp/store' });
    expect(config.runtime.kind).toBe('local');
    expect(config.runtime.kubernetes).toBeUndefined();
    expect(config.leader).toBeUndefined();
    expect(config.store).toEqual({
      kind: 'embedded',
      dir: '/tmp/store',
      quotaBytes: 256 * 2 ** 20,
    });
  });

  it('takes the local sandbox and names a bad one', () => {
    expect(loadConfig({}).runtime.bubblewrap).toBeUndefined();
    const sandboxed = loadConfig({ WARMGATE_POOL_SANDBOX: 'bubblewrap' });
    expect(sandboxed.runtime.bubblewrap?.storeCredentialTtlMs).toBeGreaterThan(0);
    expect(problemsOf({ WARMGATE_POOL_SANDBOX: 'jail' })).toContain(
      'WARMGATE_POOL_SANDBOX="jail": expected none or bubblewrap',
    );
    expect(
      problemsOf({ WARMGATE_POOL_SANDBOX: 'bubblewrap', WARMGATE_POOL_RUNTIME: 'docker' }),
    ).toContain('only with WARMGATE_POOL_RUNTIME=local');
  });

  it('takes the embedded store quota and names a bad one', () => {
    const config = loadConfig({ WARMGATE_STORE_DIR: '/tmp/store', WARMGATE_STORE_QUOTA: '64MiB' });
    expect(config.store).toMatchObject({ quotaBytes: 64 * 2 ** 20 });
    expect(problemsOf({ WARMGATE_STORE_QUOTA: 'lots' })).toContain('WARMGATE_STORE_QUOTA');
  });

  it('names the missing namespace and pod template', () => {
    const message = problemsOf({ WARMGATE_POOL_RUNTIME: 'kubernetes' });
    expect(message).toContain('WARMGATE_POOL_NAMESPACE: required');
    expect(message).toContain('WARMGATE_POOL_POD_TEMPLATE: required');
  });

  it('needs an identity with a lease, and the lease needs the kubernetes runtime', () => {
    expect(problemsOf({ ...kube, WARMGATE_POOL_LEADER_LEASE: 'pm' })).toContain(
      'WARMGATE_POOL_IDENTITY: required',
    );
    expect(problemsOf({ WARMGATE_POOL_LEADER_LEASE: 'pm', WARMGATE_POOL_IDENTITY: 'a' })).toContain(
      'WARMGATE_POOL_LEADER_LEASE: needs WARMGATE_POOL_RUNTIME=kubernetes',
    );
    expect(
      problemsOf({
        ...kube,
        WARMGATE_POOL_LEADER_LEASE: 'Not_A_Name',
        WARMGATE_POOL_IDENTITY: 'a',
      }),
    ).toContain('WARMGATE_POOL_LEADER_LEASE');
  });

  it('derives the credential TTL from the longest idle timeout, drain timeout and grace', () => {
    const config = loadConfig({
      WARMGATE_STORE_URL: 'http://store:8081',
      WARMGATE_STORE_SECRET: secret,
      WARMGATE_POOL_TIERS: 'free=standard:15m,enterprise=standard:8h',
      WARMGATE_POOL_PUBLIC_IDLE_TIMEOUT: '10m',
      WARMGATE_POOL_DRAIN_TIMEOUT: '20s',
      WARMGATE_POOL_SHUTDOWN_GRACE: '30s',
    });
    expect(config.store.kind === 'remote' && config.store.credentialTtlMs).toBe(
      8 * 3_600_000 + 20_000 + 30_000,
    );
  });

  it('never puts the store secret in an error', () => {
    const short = 'short-but-secret';
    const message = problemsOf({
      WARMGATE_STORE_URL: 'not a url',
      WARMGATE_STORE_SECRET: short,
      WARMGATE_STORE_CREDENTIAL_TTL: 'forever',
    });
    expect(message).toContain('WARMGATE_STORE_URL');
    expect(message).toContain('WARMGATE_STORE_SECRET: must be set to a secret of at least 32');
    expect(message).toContain('WARMGATE_STORE_CREDENTIAL_TTL');
    expect(message).not.toContain(short);
    expect(problemsOf({ WARMGATE_STORE_URL: 'http://store:8081' })).toContain(
      'WARMGATE_STORE_SECRET',
    );
  });
});

describe('parseDuration', () => {
  it('understands ms, s, m, h and bare milliseconds', () => {
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('15m')).toBe(900_000);
    expect(parseDuration('8h')).toBe(28_800_000);
    expect(parseDuration('42')).toBe(42);
    expect(() => parseDuration('0s')).toThrow();
    expect(() => parseDuration('-1s')).toThrow();
  });
});

describe('loadConfig: the Pool deployment secret', () => {
  it('is optional with the local runtime (start-up makes one) and read from the variable', () => {
    expect(loadConfig({}).secret).toBeUndefined();
    expect(loadConfig({ WARMGATE_POOL_SECRET: 'p'.repeat(32) }).secret).toBe('p'.repeat(32));
  });

  it('is read from a file, and a short one is refused without echoing it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'warmgate-config-'));
    try {
      writeFileSync(join(dir, 'secret'), `${'f'.repeat(40)}\n`);
      const config = loadConfig({ WARMGATE_POOL_SECRET_FILE: join(dir, 'secret') });
      expect(config.secret).toBe('f'.repeat(40));
      expect(() => loadConfig({ WARMGATE_POOL_SECRET: 'short-secret-value' })).toThrow(
        /WARMGATE_POOL_SECRET: must be at least 32 characters$/,
      );
      expect(() =>
        loadConfig({ WARMGATE_POOL_SECRET: 'p'.repeat(32), WARMGATE_POOL_SECRET_FILE: 'x' }),
      ).toThrow(/set at most one/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reads direct mode's keys from files (a mounted Secret) and names a bad file", () => {
    const dir = mkdtempSync(join(tmpdir(), 'warmgate-direct-'));
    try {
      writeFileSync(join(dir, 'jwe'), 'PRIVATE KEY PEM\n');
      writeFileSync(join(dir, 'issuers'), 'PUBLIC KEY PEM\n');
      const config = loadConfig({
        WARMGATE_AGENT_JWE_PRIVATE_KEY_FILE: join(dir, 'jwe'),
        WARMGATE_DIRECT_ISSUER_KEYS_FILE: join(dir, 'issuers'),
      });
      expect(config.direct).toMatchObject({
        jwePrivateKey: 'PRIVATE KEY PEM',
        issuerKeys: 'PUBLIC KEY PEM',
      });
      expect(() =>
        loadConfig({
          WARMGATE_AGENT_JWE_PRIVATE_KEY: 'inline',
          WARMGATE_AGENT_JWE_PRIVATE_KEY_FILE: join(dir, 'jwe'),
        }),
      ).toThrow(
        /WARMGATE_AGENT_JWE_PRIVATE_KEY and WARMGATE_AGENT_JWE_PRIVATE_KEY_FILE: set at most one/,
      );
      expect(() => loadConfig({ WARMGATE_DIRECT_ISSUER_KEYS_FILE: join(dir, 'missing') })).toThrow(
        /WARMGATE_DIRECT_ISSUER_KEYS_FILE=.*missing/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is required with the Kubernetes runtime', () => {
    expect(() =>
      loadConfig({
        WARMGATE_POOL_RUNTIME: 'kubernetes',
        WARMGATE_POOL_NAMESPACE: 'warmgate',
        WARMGATE_POOL_POD_TEMPLATE: '/t.json',
      }),
    ).toThrow(/WARMGATE_POOL_SECRET or WARMGATE_POOL_SECRET_FILE: required/);
  });
});
