import { errors } from '@warmgate/proto';
import { IndicatorSpecSchema, type IndicatorSpec, type Operand } from './indicator-spec.js';
import { parseOrThrow } from './issues.js';

export const MAX_DEPTH = 8;

export type SavedLookup = (name: string) => IndicatorSpec | undefined;

/**
 * Walks a validated spec before anything is computed: enforces the depth bound, resolves and
 * validates every saved reference (once per name), and refuses reference cycles. Because each
 * node has at most two inputs and depth is bounded, the walk visits at most 2^8 nodes per root.
 * Saved references are aliases and add no depth of their own.
 */
export function resolveSaved(
  spec: IndicatorSpec,
  lookup: SavedLookup | undefined,
  resolved: Map<string, IndicatorSpec> = new Map(),
): Map<string, IndicatorSpec> {
  walk(spec, 1, [], lookup, resolved);
  return resolved;
}

function walk(
  spec: IndicatorSpec,
  depth: number,
  trail: string[],
  lookup: SavedLookup | undefined,
  resolved: Map<string, IndicatorSpec>,
): void {
  if (depth > MAX_DEPTH) {
    throw errors.invalidArgument(`composition is deeper than ${MAX_DEPTH} levels`);
  }
  if (spec.indicator === 'saved') {
    const { name } = spec;
    if (trail.includes(name)) {
      throw errors.invalidArgument(`saved indicator cycle: ${[...trail, name].join(' → ')}`);
    }
    let target = resolved.get(name);
    if (target === undefined) {
      const raw = lookup?.(name);
      if (raw === undefined) throw errors.invalidArgument(`unknown saved indicator "${name}"`);
      target = parseOrThrow(IndicatorSpecSchema, raw, `saved indicator "${name}"`);
      resolved.set(name, target);
    }
    walk(target, depth, [...trail, name], lookup, resolved);
    return;
  }
  for (const child of inputsOf(spec)) {
    if (typeof child === 'object') walk(child, depth + 1, trail, lookup, resolved);
  }
}

function inputsOf(spec: IndicatorSpec): Operand[] {
  switch (spec.indicator) {
    case 'math':
      return [spec.left, spec.right];
    case 'sma':
    case 'ema':
    case 'wma':
    case 'rsi':
    case 'macd':
    case 'bbands':
    case 'shift':
      return spec.source === undefined ? [] : [spec.source];
    default:
      return [];
  }
}
