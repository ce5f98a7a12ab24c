// Chart state tools: symbol, timeframe, indicators on the chart, open analysis.
import { z } from 'zod';
import { IndicatorSpecSchema } from '../../analysis/index.js';
import { TIMEFRAMES, WORKSPACE_FILE, type WorkspaceState } from '../../workspace/layout.js';
import { readWorkspaceState, toJsonFile } from '../../workspace/records.js';
import { defineTool, mutate, type ToolContext } from '../tool-kit.js';

const SYMBOL = z
  .string()
  .regex(/^[A-Za-z0-9._:/-]{1,32}$/, 'symbol: 1-32 letters, digits or . _ : / -');

async function update(
  context: ToolContext,
  message: string,
  change: (state: WorkspaceState) => WorkspaceState,
) {
  let next: WorkspaceState | undefined;
  const { commit } = await mutate(context, message, async (changes) => {
    next = change(await readWorkspaceState(context.serving.workspace));
    changes.write(WORKSPACE_FILE, toJsonFile(next));
  });
  return { state: next, commit };
}

export const workspaceTools = [
  defineTool({
    name: 'workspace_get',
    title: 'Get chart state',
    description:
      'The chart symbol, timeframe, the indicators on the chart and the open analysis note.',
    input: {},
    readOnly: true,
    run: async (_args, context) => readWorkspaceState(context.serving.workspace),
  }),
  defineTool({
    name: 'workspace_set_chart',
    title: 'Change chart',
    description:
      'Change the chart symbol and/or timeframe, and optionally the open analysis note (null clears it).',
    input: {
      symbol: SYMBOL.optional(),
      timeframe: z.enum(TIMEFRAMES).optional(),
      open_analysis: z.string().max(4000).nullable().optional(),
    },
    readOnly: false,
    run: (args, context) => {
      const parts = [
        args.symbol && `symbol ${args.symbol}`,
        args.timeframe && `timeframe ${args.timeframe}`,
        args.open_analysis !== undefined && 'open analysis',
      ].filter(Boolean);
      return update(context, `Chart: set ${parts.join(', ') || 'nothing'}`, (state) => ({
        ...state,
        symbol: args.symbol ?? state.symbol,
        timeframe: args.timeframe ?? state.timeframe,
        openAnalysis: args.open_analysis === undefined ? state.openAnalysis : args.open_analysis,
      }));
    },
  }),
  defineTool({
    name: 'workspace_set_chart_indicators',
    title: 'Set chart indicators',
    description:
      'Replace the indicators shown on the chart. Each has an id and an indicator spec (as for indicator_compute; {"indicator":"saved","name":...} refers to a saved one).',
    input: {
      indicators: z
        .array(
          z.object({
            id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'id: 1-64 of a-z 0-9 - _'),
            spec: IndicatorSpecSchema,
          }),
        )
        .max(32),
    },
    readOnly: false,
    run: (args, context) =>
      update(
        context,
        `Chart: indicators ${args.indicators.map((i) => i.id).join(', ') || '(none)'}`,
        (state) => ({
          ...state,
          indicators: args.indicators.map((i) => ({
            id: i.id,
            spec: i.spec as unknown as Record<string, unknown>,
          })),
        }),
      ),
  }),
];
