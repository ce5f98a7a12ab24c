import { describe, expect, it } from 'vitest';
import { containerSecrets } from './container-secret.js';
import { allowedEnv } from './local/container-env.js';

describe('container secrets', () => {
  it('are stable per container, distinct between containers and deployments', () => {
    const a = containerSecrets('a'.repeat(32));
    const b = containerSecrets('b'.repeat(32));
    expect(a('c-1')).toBe(a('c-1'));
    expect(a('c-1')).not.toBe(a('c-2'));
    expect(a('c-1')).not.toBe(b('c-1'));
    expect(a('c-1')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a('c-1')).not.toContain('a'.repeat(8));
  });

  it('need a deployment secret of at least 32 characters', () => {
    expect(() => containerSecrets('short')).toThrow(/at least 32/);
  });
});

describe('local container environment', () => {
  it('keeps the process basics and drops every secret of the pool manager', () => {
    const env = allowedEnv({
      PATH: '/bin',
      HOME: '/home/u',
      LC_ALL: 'C',
      OTEL_SERVICE_NAME: 'agent',
      OTEL_EXPORTER_OTLP_HEADERS: 'api-key=secret',
      WARMGATE_AUTH_HS256_SECRET: 'x',
      WARMGATE_LLM_API_KEY: 'x',
      WARMGATE_POOL_SECRET: 'x',
      WARMGATE_STORE_SECRET: 'x',
      WARMGATE_AGENT_JWE_PRIVATE_KEY: 'x',
      WARMGATE_DIRECT_ISSUER_KEYS: 'public',
      AWS_SECRET_ACCESS_KEY: 'x',
      NODE_OPTIONS: '--require /tmp/evil.js',
    });
    expect(env).toEqual({
      PATH: '/bin',
      HOME: '/home/u',
      LC_ALL: 'C',
      OTEL_SERVICE_NAME: 'agent',
      WARMGATE_DIRECT_ISSUER_KEYS: 'public',
    });
  });
});
