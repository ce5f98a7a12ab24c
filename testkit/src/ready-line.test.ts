import { describe, expect, it } from 'vitest';
import { isReady, parseReadyLine } from './ready-line.js';

describe('parseReadyLine', () => {
  it('reads a JSON object line and nothing else', () => {
    expect(parseReadyLine('{"ready":true,"role":"agent","port":8090}')).toEqual({
      ready: true,
      role: 'agent',
      port: 8090,
    });
    expect(parseReadyLine('  {"ready":false}  ')).toEqual({ ready: false });
    for (const line of ['warmgate: ready', '', '[1,2]', '{not json', 'null']) {
      expect(parseReadyLine(line)).toBeUndefined();
    }
  });

  it('is ready on "ready":true only', () => {
    expect(isReady({ ready: true })).toBe(true);
    expect(isReady({ ready: 'yes' })).toBe(false);
    expect(isReady({})).toBe(false);
  });
});
