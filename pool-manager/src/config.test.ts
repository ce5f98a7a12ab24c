import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseDuration } from './config.js';

describe('loadConfig', () => {
  it('has working defaults', () => {
    const config = loadConfig({});
    expect(config.port).toBe(50052);
    expect(config.host).toBe('127.0.0.1');
    expect(config.metrics.port).toBe(9464);
    expect(config.core.profiles).toEqual([{ name: 'standard', minWarm: 2, maxTotal: 50 }]);
    expect(config.core.tiers.free).toEqual({ profile: 'standard', idleTimeoutMs: 15 * 60_000 });
    expect(config.core.tiers.enterprise!.idleTimeoutMs).toBe(8 * 3_600_000);
    expect(config.core.publicIdleTimeoutMs).toBe(10 * 60_000);
    expect(config.runtime.agentEntry).toMatch(/agent\/dist\/main\.js$/);
  });

  it('reads profiles and tiers', () => {
    const config = loadConfig({
      WARMGATE_POOL_PROFILES: 'small:min=1:max=4,large:min=0:max=2',
      WARMGATE_POOL_TIERS: 'free=small:90s,enterprise=large:8h',
    });
    expect(config.core.profiles.map((p) => p.name)).toEqual(['small', 'large']);
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

  it('rejects a runtime it does not have', () => {
    expect(() => loadConfig({ WARMGATE_POOL_RUNTIME: 'docker' })).toThrow(/WARMGATE_POOL_RUNTIME/);
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
