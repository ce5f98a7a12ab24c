import { describe, expect, it } from 'vitest';
import { containerSpec } from './container-spec.js';
import { DEFAULT_DOCKER_LIMITS, limitsFor, parseDockerLimits } from './docker-limits.js';

const input = {
  id: 'd-1',
  role: 'agent' as const,
  image: 'warmgate/agent:dev',
  profile: 'standard',
  pool: 'p1',
  hostFolder: '/state/d-1/box',
  user: '1000:1000',
  limits: { cpus: 0.5, memoryBytes: 256 * 2 ** 20, pids: 128 },
  env: { WARMGATE_SIDECAR_PORT: '0' },
};

describe('containerSpec', () => {
  it('is hardened: non-root, read-only, no capabilities, limits, only its own folder', () => {
    const spec = containerSpec(input);
    expect(spec.User).toBe('1000:1000');
    expect(spec.Labels).toMatchObject({
      'warmgate.io/role': 'agent',
      'warmgate.io/pool': 'p1',
      'warmgate.io/container': 'd-1',
    });
    expect(spec.Env).toEqual(['WARMGATE_SIDECAR_PORT=0']);
    const host = spec.HostConfig!;
    expect(host.NetworkMode).toBe('none');
    expect(host.Binds).toEqual(['/state/d-1/box:/warmgate:rw']);
    expect(host.ReadonlyRootfs).toBe(true);
    expect(host.CapDrop).toEqual(['ALL']);
    expect(host.SecurityOpt).toEqual(['no-new-privileges']);
    expect(host.Privileged).toBe(false);
    expect(host.Memory).toBe(256 * 2 ** 20);
    expect(host.NanoCpus).toBe(500_000_000);
    expect(host.PidsLimit).toBe(128);
  });

  it('mounts secret files read-only at /run/warmgate, outside the shared folder', () => {
    const spec = containerSpec({
      ...input,
      role: 'sidecar',
      secretFiles: { 'sidecar.secret': '/state/d-1/sidecar.secret' },
    });
    // In the agent's network namespace (none): loopback shared with its agent only.
    expect(spec.HostConfig!.NetworkMode).toBe('container:warmgate-d-1-agent');
    expect(spec.HostConfig!.Binds).toEqual([
      '/state/d-1/box:/warmgate:rw',
      '/state/d-1/sidecar.secret:/run/warmgate/sidecar.secret:ro',
    ]);
  });

  it("runs a named agent's image with its own command, or the image's default", () => {
    expect(containerSpec(input).Cmd).toEqual(['agent']);
    const python = containerSpec({ ...input, image: 'warmgate/agent-py:dev', command: [] });
    expect(python.Image).toBe('warmgate/agent-py:dev');
    expect(python).not.toHaveProperty('Cmd');
    expect(containerSpec({ ...input, command: ['mcp'] }).Cmd).toEqual(['mcp']);
    // Hardened the same way whatever the image.
    expect(python.HostConfig).toEqual(containerSpec(input).HostConfig);
  });

  it('never runs as root', () => {
    expect(() => containerSpec({ ...input, user: '0:0' })).toThrow(/root/);
    expect(() => containerSpec({ ...input, user: '0' })).toThrow(/root/);
  });
});

describe('parseDockerLimits', () => {
  it('reads per-profile limits with * as the default', () => {
    const limits = parseDockerLimits('*:cpus=0.5:memory=256m,large:cpus=2:memory=2g:pids=512');
    expect(limitsFor(limits, 'standard')).toEqual({
      cpus: 0.5,
      memoryBytes: 256 * 2 ** 20,
      pids: DEFAULT_DOCKER_LIMITS.pids,
    });
    expect(limitsFor(limits, 'large')).toEqual({ cpus: 2, memoryBytes: 2 * 2 ** 30, pids: 512 });
  });

  it('names what is wrong', () => {
    expect(() => parseDockerLimits('standard:cpus=-1')).toThrow(/standard: cpus/);
    expect(() => parseDockerLimits('standard:memory=lots')).toThrow(/standard: memory/);
    expect(() => parseDockerLimits('standard:disk=1g')).toThrow(/unknown option "disk"/);
    expect(() => parseDockerLimits('Bad:cpus=1')).toThrow(/not a profile name/);
  });
});
