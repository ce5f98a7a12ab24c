// Strategies: rule-based entries/exits over indicators (strategies/<name>.json), and
// backtests over candles passed in the call.
import { z } from 'zod';
import { errors } from '@warmgate/proto';
import {
  CandlesSchema,
  StrategySchema,
  backtest,
  type Candle,
  type Strategy,
} from '../../analysis/index.js';
import { STRATEGIES_DIR } from '../../workspace/layout.js';
import { checkName, itemPath, listItems, toJsonFile } from '../../workspace/records.js';
import type { Workspace } from '../../workspace/workspace.js';
import { defineTool, mutate } from '../tool-kit.js';
import { MAX_SAVED_ITEMS, loadSavedIndicators } from './saved-indicators.js';

const NAME = z.string().max(64).describe('1-64 of a-z 0-9 - _, starting with a letter or digit');
const MAX_STRATEGY_BYTES = 64 * 1024;

export async function readStrategy(
  workspace: Workspace,
  name: string,
): Promise<Strategy | undefined> {
  const text = await workspace.read(itemPath(STRATEGIES_DIR, checkName('strategy', name)));
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as Strategy;
  } catch (cause) {
    throw errors.failedPrecondition(`saved strategy "${name}" is not valid JSON`, cause);
  }
}

export async function listStrategies(workspace: Workspace) {
  const strategies = [];
  for (const name of await listItems(workspace, STRATEGIES_DIR)) {
    const strategy = await readStrategy(workspace, name).catch(() => undefined);
    strategies.push({ name, description: strategy?.description ?? '', side: strategy?.side });
  }
  return { strategies };
}

export const strategyTools = [
  defineTool({
    name: 'strategy_list',
    title: 'List strategies',
    description: "The user's saved strategies.",
    input: {},
    readOnly: true,
    run: (_args, context) => listStrategies(context.serving.workspace),
  }),
  defineTool({
    name: 'strategy_get',
    title: 'Get strategy',
    description: 'A saved strategy by name.',
    input: { name: NAME },
    readOnly: true,
    async run(args, context) {
      const strategy = await readStrategy(context.serving.workspace, args.name);
      if (!strategy) throw errors.notFound(`no saved strategy "${args.name}"`);
      return strategy;
    },
  }),
  defineTool({
    name: 'strategy_save',
    title: 'Save strategy',
    description:
      'Save (or replace) a rule-based strategy: side, entry and exit rules over indicators, optional stop loss / take profit / fee. Saved under strategy.name.',
    input: { strategy: StrategySchema },
    readOnly: false,
    async run(args, context) {
      const strategy = args.strategy as Strategy;
      const name = checkName('strategy', strategy.name);
      const file = toJsonFile(strategy);
      if (Buffer.byteLength(file) > MAX_STRATEGY_BYTES) {
        throw errors.invalidArgument(`strategy: at most ${MAX_STRATEGY_BYTES} bytes`);
      }
      const { commit } = await mutate(context, `Strategy: save ${name}`, async (changes) => {
        const existing = await listItems(context.serving.workspace, STRATEGIES_DIR);
        if (!existing.includes(name) && existing.length >= MAX_SAVED_ITEMS) {
          throw errors.resourceExhausted(`at most ${MAX_SAVED_ITEMS} saved strategies`);
        }
        changes.write(itemPath(STRATEGIES_DIR, name), file);
      });
      return { name, commit };
    },
  }),
  defineTool({
    name: 'strategy_delete',
    title: 'Delete strategy',
    description: 'Delete a saved strategy.',
    input: { name: NAME },
    readOnly: false,
    destructive: true,
    async run(args, context) {
      const name = checkName('strategy', args.name);
      const { commit } = await mutate(context, `Strategy: delete ${name}`, async (changes) => {
        const path = itemPath(STRATEGIES_DIR, name);
        if ((await context.serving.workspace.read(path)) === undefined) {
          throw errors.notFound(`no saved strategy "${name}"`);
        }
        changes.remove(path);
      });
      return { name, deleted: true, commit };
    },
  }),
  defineTool({
    name: 'strategy_backtest',
    title: 'Backtest strategy',
    description:
      'Backtest a strategy (given inline, or a saved one by name) over the candles given. Reports trades, PnL, max drawdown and win rate.',
    input: {
      strategy: StrategySchema.optional(),
      name: NAME.optional(),
      candles: CandlesSchema,
      include_equity_curve: z.boolean().optional(),
    },
    readOnly: true,
    async run(args, context) {
      if ((args.strategy === undefined) === (args.name === undefined)) {
        throw errors.invalidArgument('give exactly one of "strategy" or "name"');
      }
      const workspace = context.serving.workspace;
      const strategy =
        (args.strategy as Strategy | undefined) ?? (await readStrategy(workspace, args.name ?? ''));
      if (!strategy) throw errors.notFound(`no saved strategy "${args.name}"`);
      const report = backtest(
        strategy,
        args.candles as Candle[],
        await loadSavedIndicators(workspace),
      );
      if (!args.include_equity_curve) delete report.equityCurve;
      return report;
    },
  }),
];
