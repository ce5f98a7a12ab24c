import type { MathOp } from './indicator-spec.js';
import { finite } from './indicators.js';
import type { Series } from './price-fields.js';

/** Bar-by-bar arithmetic; a null on either side, a division by zero or an overflow gives null. */
export function combine(op: MathOp, left: Series, right: Series): Series {
  const f = OPS[op];
  return left.map((a, i) => {
    const b = right[i];
    return a === null || b === null ? null : finite(f(a, b));
  });
}

const OPS: Record<MathOp, (a: number, b: number) => number> = {
  '+': (a, b) => a + b,
  '-': (a, b) => a - b,
  '*': (a, b) => a * b,
  '/': (a, b) => (b === 0 ? NaN : a / b),
  min: Math.min,
  max: Math.max,
};

/** The value `bars` bars earlier (null for the first `bars` bars). */
export function shift(src: Series, bars: number): Series {
  return src.map((_, i) => (i >= bars ? src[i - bars] : null));
}
