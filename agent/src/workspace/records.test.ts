import { describe, expect, it } from 'vitest';
import { checkName } from './records.js';

describe('item names', () => {
  it('accept plain names', () => {
    for (const name of ['rsi', 'my-rsi_2', '9lives', 'a'.repeat(64)]) {
      expect(checkName('indicator', name)).toBe(name);
    }
  });

  it('refuse path syntax, .git, reserved and oversized names, saying why', () => {
    for (const name of ['', '../x', '.git', 'a/b', 'a.json', 'A', '-x', 'list', 'a'.repeat(65)]) {
      expect(() => checkName('indicator', name), name).toThrow(/indicator name .* not allowed/);
    }
  });
});
