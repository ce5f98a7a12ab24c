import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { containerEnv, jweKeyOf } from './container-env.js';

describe('containerEnv', () => {
  it('passes telemetry, locale and agent settings; no secret, no host path', () => {
    const env = containerEnv({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
      OTEL_EXPORTER_OTLP_HEADERS: 'api-key=secret',
      LANG: 'C.UTF-8',
      WARMGATE_AGENT_DRAIN_TIMEOUT_MS: '500',
      WARMGATE_POOL_SECRET: 'pool-secret',
      WARMGATE_AGENT_JWE_PRIVATE_KEY: 'jwe',
      WARMGATE_AGENT_JWE_PRIVATE_KEY_FILE: '/host/key',
      PATH: '/host/bin',
      HOME: '/home/operator',
      NODE_EXTRA_CA_CERTS: '/host/ca.pem',
    });
    expect(env).toEqual({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
      LANG: 'C.UTF-8',
      WARMGATE_AGENT_DRAIN_TIMEOUT_MS: '500',
    });
  });
});

describe('jweKeyOf', () => {
  it('reads the key by value or from its file', async () => {
    expect(await jweKeyOf({})).toBeUndefined();
    expect(await jweKeyOf({ WARMGATE_AGENT_JWE_PRIVATE_KEY: 'k1' })).toBe('k1');
    const dir = mkdtempSync(join(tmpdir(), 'warmgate-jwe-'));
    try {
      writeFileSync(join(dir, 'key'), 'k2');
      expect(await jweKeyOf({ WARMGATE_AGENT_JWE_PRIVATE_KEY_FILE: join(dir, 'key') })).toBe('k2');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
