import { describe, expect, it } from 'vitest';
import { parseBoolean, parseDuration, parseInteger, parseNumber, parsePort } from './parse.js';

describe('parseBoolean', () => {
  it('takes one spelling set, in any case', () => {
    for (const raw of ['1', 'true', 'YES', 'On']) expect(parseBoolean(raw)).toBe(true);
    for (const raw of ['0', 'False', 'no', 'OFF']) expect(parseBoolean(raw)).toBe(false);
    expect(() => parseBoolean('maybe')).toThrow(/expected true or false/);
  });
});

describe('parseDuration', () => {
  it('understands ms, s, m, h and bare milliseconds', () => {
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('15s')).toBe(15_000);
    expect(parseDuration('15m')).toBe(900_000);
    expect(parseDuration('8h')).toBe(28_800_000);
    expect(parseDuration('42')).toBe(42);
  });

  it('reads a bare number in the unit it is told (the _S settings)', () => {
    expect(parseDuration('10', { bare: 's' })).toBe(10_000);
    expect(parseDuration('250ms', { bare: 's' })).toBe(250);
  });

  it('checks the range in milliseconds and says it', () => {
    expect(parseDuration('0', { min: 0 })).toBe(0);
    expect(() => parseDuration('0s', { min: 1 })).toThrow(/at least 1ms/);
    expect(() => parseDuration('5ms', { min: 1000 })).toThrow(/at least 1s/);
    expect(() => parseDuration('2h', { min: 0, max: 3_600_000 })).toThrow(/from 0ms to 3600s/);
  });

  it('refuses what is not a duration', () => {
    for (const raw of ['-1s', '1d', 's', '', '1.s', '10 minutes']) {
      expect(() => parseDuration(raw)).toThrow(/expected a duration like 250ms/);
    }
  });
});

describe('numbers and ports', () => {
  it('takes whole numbers within the range', () => {
    expect(parseInteger('12', { min: 1 })).toBe(12);
    expect(() => parseInteger('1.5', { min: 0, max: 9 })).toThrow(/whole number from 0 to 9/);
    expect(() => parseInteger('0', { min: 1 })).toThrow(/≥ 1/);
    expect(() => parseInteger('', {})).toThrow(/whole number/);
    expect(() => parseInteger('1e400')).toThrow();
  });

  it('takes fractions where a number is asked for', () => {
    expect(parseNumber('0.5', { min: 0, max: 10 })).toBe(0.5);
    expect(() => parseNumber('11', { min: 0, max: 10 })).toThrow(/from 0 to 10/);
    expect(() => parseNumber('NaN')).toThrow();
  });

  it('takes ports 0-65535', () => {
    expect(parsePort('0')).toBe(0);
    expect(parsePort('65535')).toBe(65535);
    for (const raw of ['65536', '-1', '80.5', 'http']) {
      expect(() => parsePort(raw)).toThrow(/expected a port 0-65535/);
    }
  });
});
