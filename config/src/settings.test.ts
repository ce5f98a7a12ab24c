import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { Settings } from './settings.js';

describe('Settings', () => {
  it('returns the defaults when nothing is set, and blank counts as unset', () => {
    const read = new Settings({ WARMGATE_B: '  ' }, 'test');
    expect(read.bool('WARMGATE_B', true)).toBe(true);
    expect(read.int('WARMGATE_I', 7, { min: 1 })).toBe(7);
    expect(read.port('WARMGATE_P', 8080)).toBe(8080);
    expect(read.duration('WARMGATE_T_MS', 1500)).toBe(1500);
    expect(read.seconds('WARMGATE_T_S', 10)).toBe(10);
    expect(read.string('WARMGATE_S', 'x')).toBe('x');
    expect(() => read.finish()).not.toThrow();
  });

  it('reads durations with units and keeps accepting bare _MS and _S integers', () => {
    const read = new Settings(
      { A_MS: '5000', B_MS: '15s', C_S: '30', D_S: '2m', E_S: '1500ms' },
      'test',
    );
    expect(read.duration('A_MS', 0)).toBe(5000);
    expect(read.duration('B_MS', 0)).toBe(15_000);
    expect(read.seconds('C_S', 0)).toBe(30);
    expect(read.seconds('D_S', 0)).toBe(120);
    expect(read.seconds('E_S', 7)).toBe(7);
    expect(() => read.finish()).toThrow(/E_S="1500ms": expected whole seconds/);
  });

  it('throws one ConfigError that names every bad setting', () => {
    const read = new Settings(
      {
        WARMGATE_ON: 'maybe',
        WARMGATE_PORT: '70000',
        WARMGATE_COUNT: '0',
        WARMGATE_WAIT: 'soon',
        WARMGATE_MODE: 'loud',
      },
      'demo',
    );
    expect(read.bool('WARMGATE_ON', false)).toBe(false);
    expect(read.port('WARMGATE_PORT', 1)).toBe(1);
    expect(read.int('WARMGATE_COUNT', 3, { min: 1 })).toBe(3);
    expect(read.duration('WARMGATE_WAIT', 9)).toBe(9);
    expect(read.choice('WARMGATE_MODE', ['quiet', 'normal'], 'normal')).toBe('normal');
    read.problem('WARMGATE_OTHER: set at most one');
    expect(read.valid).toBe(false);
    let error: unknown;
    try {
      read.finish();
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { message, problems } = error as ConfigError;
    expect(problems).toHaveLength(6);
    expect(message.split('\n')[0]).toBe('invalid demo configuration:');
    for (const name of [
      'WARMGATE_ON="maybe": expected true or false',
      'WARMGATE_PORT="70000": expected a port',
      'WARMGATE_COUNT="0": expected a whole number ≥ 1',
      'WARMGATE_WAIT="soon": expected a duration',
      'WARMGATE_MODE="loud": expected one of quiet, normal',
      'WARMGATE_OTHER: set at most one',
    ]) {
      expect(message).toContain(name);
    }
  });

  it('reads a secret from the variable or its _FILE, never both, never echoing it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'warmgate-config-test-'));
    try {
      writeFileSync(join(dir, 'secret'), `${'f'.repeat(40)}\n`);
      writeFileSync(join(dir, 'short'), 'tiny-secret\n');
      const file = new Settings({ S_FILE: join(dir, 'secret') }, 'test');
      expect(file.secret('S', 32)).toBe('f'.repeat(40));
      expect(new Settings({ S: ` ${'v'.repeat(32)} ` }, 'test').secret('S', 32)).toBe(
        'v'.repeat(32),
      );
      const bad = new Settings(
        {
          A: 'x'.repeat(40),
          A_FILE: join(dir, 'secret'),
          B: 'tiny-secret',
          C_FILE: join(dir, 'short'),
          D_FILE: join(dir, 'missing'),
        },
        'test',
      );
      for (const name of ['A', 'B', 'C', 'D']) expect(bad.secret(name, 32)).toBeUndefined();
      expect(() => bad.finish()).toThrow(ConfigError);
      const message = (() => {
        try {
          bad.finish();
          return '';
        } catch (error) {
          return (error as Error).message;
        }
      })();
      expect(message).toContain('A and A_FILE: set at most one');
      expect(message).toContain('B: must be at least 32 characters');
      expect(message).toContain('C_FILE: must be at least 32 characters');
      expect(message).toContain('D_FILE=');
      expect(message).not.toContain('tiny-secret');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
