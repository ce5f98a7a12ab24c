import { describe, expect, it } from 'vitest';
import { maxDrawdownPct } from './equity.js';

describe('maxDrawdownPct', () => {
  it('is the deepest fall from the running peak, in percent of that peak', () => {
    // Peaks 100 then 150; falls 100→80 (20 %) and 150→90 (40 %).
    expect(maxDrawdownPct([100, 80, 120, 150, 90, 140])).toBeCloseTo(40, 12);
  });

  it('is 0 for a curve that never falls', () => {
    expect(maxDrawdownPct([100, 100, 101, 150])).toBe(0);
    expect(maxDrawdownPct([])).toBe(0);
  });

  it('a later recovery does not undo an earlier drawdown', () => {
    expect(maxDrawdownPct([100, 50, 200, 190])).toBeCloseTo(50, 12);
  });
});
