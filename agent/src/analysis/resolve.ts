import { errors } from '@warmgate/proto';
import { IndicatorSpecSchema, type IndicatorSpec, type Operand } from './indicator-spec.js';
import { parseOrThrow } from './issues.js';
import { memoKey } from './compose.js';
import { charge } from './cost.js';

export const MAX_DEPTH = 8;

export type SavedLookup = (name: string) => IndicatorSpec | undefined;

/** What a walk found, shared by every spec of one call (e.g. all operands of a strategy). */
export interface Resolution {
  bars: number;
  lookup?: SavedLookup;
  /** Saved specs by name, validated. */
  saved: Map<string, IndicatorSpec>;
  /** Distinct computations seen (see memoKey) and their estimated total work. */
  seen: Set<string>;
  work: number;
}

export function createResolution(bars: number, lookup?: SavedLookup): Resolution {
  return { bars, lookup, saved: new Map(), seen: new Set(), work: 0 };
}

/**
 * Walks a validated spec before anything is computed: enforces the depth bound, resolves and
 * validates every saved reference (once per name), refuses reference cycles, and prices the
 * distinct computations against the work budget so an over-budget call fails before it runs.
 * Each node has at most two inputs and depth is bounded, so a walk visits at most 2^8 nodes per
 * root. Saved references are aliases and add no depth of their own.
 */
export function resolveSpec(spec: IndicatorSpec, r: Resolution): Resolution {
  walk(spec, 1, [], r);
  return r;
}

function walk(spec: IndicatorSpec, depth: number, trail: string[], r: Resolution): void {
  if (depth > MAX_DEPTH) {
    throw errors.invalidArgument(`composition is deeper than ${MAX_DEPTH} levels`);
  }
  if (spec.indicator === 'saved') {
    const { name } = spec;
    if (trail.includes(name)) {
      throw errors.invalidArgument(`saved indicator cycle: ${[...trail, name].join(' → ')}`);
    }
    let target = r.saved.get(name);
    if (target === undefined) {
      const raw = r.lookup?.(name);
      if (raw === undefined) throw errors.invalidArgument(`unknown saved indicator "${name}"`);
      target = parseOrThrow(IndicatorSpecSchema, raw, `saved indicator "${name}"`);
      r.saved.set(name, target);
    }
    walk(target, depth, [...trail, name], r);
    return;
  }
  const key = memoKey(spec);
  if (!r.seen.has(key)) {
    r.seen.add(key);
    r.work = charge(r.work, spec, r.bars);
  }
  for (const child of inputsOf(spec)) {
    if (typeof child === 'object') walk(child, depth + 1, trail, r);
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
