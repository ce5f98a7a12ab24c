import { describe, expect, it } from 'vitest';
import { compare, evaluateRule } from './rules.js';
import { createContext } from './compose.js';
import { flatCandles } from './fixtures.test-support.js';
import type { Rule } from './strategy-spec.js';

describe('compare', () => {
  it('a null on either side is false', () => {
    expect(compare('>', [null, 2, 3], [1, null, 1])).toEqual([false, false, true]);
  });

  it('crosses_above needs below-or-equal on the previous bar and strictly above now', () => {
    const left = [1, 2, 3, 3, 1, 4, null, 5];
    const right = [2, 2, 2, 2, 2, 2, 2, 2];
    expect(compare('crosses_above', left, right)).toEqual([
      false,
      false,
      true,
      false,
      false,
      true,
      false,
      false,
    ]);
    expect(compare('crosses_below', left, right)).toEqual([
      false,
      false,
      false,
      false,
      true,
      false,
      false,
      false,
    ]);
  });

  it('plain comparisons', () => {
    expect(compare('>=', [1, 2, 3], [2, 2, 2])).toEqual([false, true, true]);
    expect(compare('<=', [1, 2, 3], [2, 2, 2])).toEqual([true, true, false]);
    expect(compare('<', [1, 2, 3], [2, 2, 2])).toEqual([true, false, false]);
  });
});

describe('evaluateRule', () => {
  const ctx = () => createContext(flatCandles([1, 2, 3, 4, 5]), new Map());
  const gt = (n: number): Rule => ({ left: 'close', op: '>', right: n });
  const lt = (n: number): Rule => ({ left: 'close', op: '<', right: n });

  it('all is a bar-wise and, any a bar-wise or', () => {
    expect(evaluateRule({ all: [gt(1), lt(5)] }, ctx())).toEqual([false, true, true, true, false]);
    expect(evaluateRule({ any: [lt(2), gt(4)] }, ctx())).toEqual([true, false, false, false, true]);
    expect(evaluateRule({ any: [{ all: [gt(2), lt(4)] }, gt(4)] }, ctx())).toEqual([
      false,
      false,
      true,
      false,
      true,
    ]);
  });

  it('operands can be indicators on either side', () => {
    const rule: Rule = { left: { indicator: 'sma', period: 2 }, op: '<', right: 'close' };
    expect(evaluateRule(rule, ctx())).toEqual([false, true, true, true, true]);
  });
});
