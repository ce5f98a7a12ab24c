import { describe, expect, it } from 'vitest';
import { capTargets } from './warm-cap.js';

describe('capTargets', () => {
  it('leaves targets alone within the cap or without one', () => {
    expect(capTargets([3, 2], 5)).toEqual([3, 2]);
    expect(capTargets([30, 20], undefined)).toEqual([30, 20]);
  });
  it('takes from the largest first, so a small profile keeps its few', () => {
    expect(capTargets([10, 2], 6)).toEqual([4, 2]);
    expect(capTargets([4, 3], 5)).toEqual([2, 3]); // a tie: the earlier profile gives
    expect(capTargets([1, 1], 0)).toEqual([0, 0]);
  });
});
