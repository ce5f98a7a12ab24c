import { z } from 'zod';
import { show } from './candles.js';
import { NameSchema, OperandSchema, type Operand } from './indicator-spec.js';

export const MAX_RULE_NODES = 32;

export const COMPARATORS = ['>', '<', '>=', '<=', 'crosses_above', 'crosses_below'] as const;
export type Comparator = (typeof COMPARATORS)[number];

/** A condition evaluated on every bar: a comparison, or all/any of several rules. */
export type Rule =
  { left: Operand; op: Comparator; right: Operand } | { all: Rule[] } | { any: Rule[] };

export interface Strategy {
  name: string;
  description?: string;
  side: 'long' | 'short';
  entry: Rule;
  exit: Rule;
  /** Percent below (long) / above (short) the entry price that closes the trade, e.g. 2 = 2 %. */
  stopLossPct?: number;
  /** Percent in the trade's favour that closes it, e.g. 5 = 5 %. */
  takeProfitPct?: number;
  /** Fraction of current equity committed per trade, (0, 1]; default 1. */
  positionSize?: number;
  /** Fee per side as a fraction of the traded notional, e.g. 0.001 = 0.1 %; default 0. */
  fee?: number;
  /** Starting equity in quote currency; default 10,000. */
  initialCapital?: number;
}

const rules = (key: string) =>
  z
    .array(
      z.lazy(() => RuleSchema),
      { error: `${key} must be an array of rules` },
    )
    .min(1, { error: `${key} needs at least 1 rule` });

export const RuleSchema: z.ZodType<Rule> = z.lazy(() =>
  z
    .union(
      [
        z.strictObject({
          left: OperandSchema,
          op: z.enum(COMPARATORS, {
            error: (iss) =>
              `unknown comparison ${show(iss.input)} (expected one of ${COMPARATORS.join(', ')})`,
          }),
          right: OperandSchema,
        }),
        z.strictObject({ all: rules('all') }),
        z.strictObject({ any: rules('any') }),
      ],
      {
        error: (iss) =>
          `expected a rule: {"left","op","right"}, {"all":[rules]} or {"any":[rules]} (got ${show(iss.input)})`,
      },
    )
    .describe(
      'A condition per bar: {"left":…,"op":">|<|>=|<=|crosses_above|crosses_below","right":…} ' +
        '(sides: number, price field or indicator spec), or {"all":[rules]} / {"any":[rules]}.',
    ),
);

function numberIn(name: string, min: number, max: number, minExclusive: boolean) {
  const range = `${minExclusive ? '>' : '≥'} ${min} and ≤ ${max}`;
  const error = (iss: { input: unknown }) =>
    `${name} must be a number ${range} (got ${show(iss.input)})`;
  const base = z.number({ error });
  return (minExclusive ? base.gt(min, { error }) : base.min(min, { error }))
    .max(max, { error })
    .optional();
}

export const StrategySchema = z
  .strictObject({
    name: NameSchema,
    description: z
      .string()
      .max(1_000, { error: 'description must be at most 1000 characters' })
      .optional(),
    side: z.enum(['long', 'short'], {
      error: (iss) => `side must be "long" or "short" (got ${show(iss.input)})`,
    }),
    entry: RuleSchema.describe('opens a position at the close of the bar where it holds'),
    exit: RuleSchema.describe('closes the position at the close of the bar where it holds'),
    stopLossPct: numberIn('stopLossPct', 0, 100, true).describe(
      'percent against the entry, e.g. 2',
    ),
    takeProfitPct: numberIn('takeProfitPct', 0, 10_000, true).describe('percent in favour, e.g. 5'),
    positionSize: numberIn('positionSize', 0, 1, true).describe(
      'fraction of equity per trade, default 1',
    ),
    fee: numberIn('fee', 0, 0.1, false).describe('per side, fraction of notional, e.g. 0.001'),
    initialCapital: numberIn('initialCapital', 0, 1e12, true).describe(
      'starting equity, default 10000',
    ),
  })
  .superRefine((s, ctx) => {
    const nodes = countRuleNodes(s.entry) + countRuleNodes(s.exit);
    if (nodes > MAX_RULE_NODES) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: `entry and exit rules have ${nodes} nodes together (at most ${MAX_RULE_NODES})`,
      });
    }
  });

/** Comparisons and all/any groups, counted over the whole rule tree. */
export function countRuleNodes(rule: Rule): number {
  if ('all' in rule) return 1 + rule.all.reduce((n, r) => n + countRuleNodes(r), 0);
  if ('any' in rule) return 1 + rule.any.reduce((n, r) => n + countRuleNodes(r), 0);
  return 1;
}
