import { evaluateOperand, type EvalContext } from './compose.js';
import type { Operand } from './indicator-spec.js';
import type { Series } from './price-fields.js';
import type { Comparator, Rule } from './strategy-spec.js';

/**
 * Whether `rule` holds on each bar. A comparison with a null on either side (warm-up) is false;
 * a crossing needs both sides on this bar and the bar before.
 */
export function evaluateRule(rule: Rule, ctx: EvalContext): boolean[] {
  if ('all' in rule) {
    const parts = rule.all.map((r) => evaluateRule(r, ctx));
    return ctx.candles.map((_, i) => parts.every((p) => p[i]));
  }
  if ('any' in rule) {
    const parts = rule.any.map((r) => evaluateRule(r, ctx));
    return ctx.candles.map((_, i) => parts.some((p) => p[i]));
  }
  const left = evaluateOperand(rule.left, ctx);
  const right = evaluateOperand(rule.right, ctx);
  return compare(rule.op, left, right);
}

export function compare(op: Comparator, left: Series, right: Series): boolean[] {
  return left.map((a, i) => {
    const b = right[i];
    if (a === null || b === null) return false;
    switch (op) {
      case '>':
        return a > b;
      case '<':
        return a < b;
      case '>=':
        return a >= b;
      case '<=':
        return a <= b;
      case 'crosses_above':
      case 'crosses_below': {
        const [pa, pb] = [left[i - 1], right[i - 1]];
        if (pa === null || pb === null || pa === undefined || pb === undefined) return false;
        return op === 'crosses_above' ? pa <= pb && a > b : pa >= pb && a < b;
      }
    }
  });
}

/** Every indicator spec a rule reads, for resolving saved references up front. */
export function operandsOf(rule: Rule): Operand[] {
  if ('all' in rule) return rule.all.flatMap(operandsOf);
  if ('any' in rule) return rule.any.flatMap(operandsOf);
  return [rule.left, rule.right];
}
