// Indicators: the built-in catalog, the user's saved specs (indicators/<name>.json), and
// computing any spec over candles passed in the call.
import { z } from 'zod';
import { errors } from '@warmgate/proto';
import {
  CandlesSchema,
  IndicatorSpecSchema,
  computeIndicator,
  indicatorCatalog,
  type Candle,
  type IndicatorSpec,
} from '../../analysis/index.js';
import { INDICATORS_DIR } from '../../workspace/layout.js';
import { checkName, itemPath, listItems, readItem, toJsonFile } from '../../workspace/records.js';
import type { Workspace } from '../../workspace/workspace.js';
import { defineTool, mutate } from '../tool-kit.js';
import { MAX_SAVED_ITEMS, loadSavedIndicators } from './saved-indicators.js';

const NAME = z.string().max(64).describe('1-64 of a-z 0-9 - _, starting with a letter or digit');
export const MAX_SPEC_BYTES = 32 * 1024;

export async function listIndicators(context: { serving: { workspace: Workspace } }) {
  const workspace = context.serving.workspace;
  const saved = [];
  for (const name of await listItems(workspace, INDICATORS_DIR)) {
    const item = await readItem(workspace, INDICATORS_DIR, name, 'spec');
    saved.push({ name, description: item?.description ?? '', spec: item?.body });
  }
  return {
    builtin: indicatorCatalog,
    saved,
    usage:
      'Compute with indicator_compute {spec, candles}. A spec is {"indicator": <builtin>, ...params}; {"indicator":"saved","name":<saved name>} uses a saved one; "source" composes specs.',
  };
}

export const indicatorTools = [
  defineTool({
    name: 'indicator_list',
    title: 'List indicators',
    description:
      "Built-in indicators (with parameters and outputs) and the user's saved indicators.",
    input: {},
    readOnly: true,
    run: async (_args, context) => listIndicators(context),
  }),
  defineTool({
    name: 'indicator_get',
    title: 'Get saved indicator',
    description: 'A saved indicator by name: its description and spec.',
    input: { name: NAME },
    readOnly: true,
    async run(args, context) {
      const item = await readItem(
        context.serving.workspace,
        INDICATORS_DIR,
        checkName('indicator', args.name),
        'spec',
      );
      if (!item) throw errors.notFound(`no saved indicator "${args.name}"`);
      return { name: item.name, description: item.description, spec: item.body };
    },
  }),
  defineTool({
    name: 'indicator_save',
    title: 'Save indicator',
    description:
      'Save (or replace) a named indicator spec so it can be used by name: {"indicator":"saved","name":...}.',
    input: {
      name: NAME,
      description: z.string().max(1000).optional(),
      spec: IndicatorSpecSchema,
    },
    readOnly: false,
    async run(args, context) {
      const name = checkName('indicator', args.name);
      const file = toJsonFile({ name, description: args.description ?? '', spec: args.spec });
      if (Buffer.byteLength(file) > MAX_SPEC_BYTES) {
        throw errors.invalidArgument(`spec: at most ${MAX_SPEC_BYTES} bytes`);
      }
      const { commit } = await mutate(context, `Indicator: save ${name}`, async (changes) => {
        const existing = await listItems(context.serving.workspace, INDICATORS_DIR);
        if (!existing.includes(name) && existing.length >= MAX_SAVED_ITEMS) {
          throw errors.resourceExhausted(`at most ${MAX_SAVED_ITEMS} saved indicators`);
        }
        changes.write(itemPath(INDICATORS_DIR, name), file);
      });
      return { name, commit };
    },
  }),
  defineTool({
    name: 'indicator_delete',
    title: 'Delete indicator',
    description: 'Delete a saved indicator.',
    input: { name: NAME },
    readOnly: false,
    destructive: true,
    async run(args, context) {
      const name = checkName('indicator', args.name);
      const { commit } = await mutate(context, `Indicator: delete ${name}`, async (changes) => {
        const path = itemPath(INDICATORS_DIR, name);
        if ((await context.serving.workspace.read(path)) === undefined) {
          throw errors.notFound(`no saved indicator "${name}"`);
        }
        changes.remove(path);
      });
      return { name, deleted: true, commit };
    },
  }),
  defineTool({
    name: 'indicator_compute',
    title: 'Compute indicator',
    description:
      'Compute an indicator spec (or a saved indicator by name) over the candles given (1-10,000; time in ms). Outputs are aligned to the candles, null during warm-up.',
    input: {
      spec: IndicatorSpecSchema.optional(),
      name: NAME.optional(),
      candles: CandlesSchema,
    },
    readOnly: true,
    async run(args, context) {
      if ((args.spec === undefined) === (args.name === undefined)) {
        throw errors.invalidArgument('give exactly one of "spec" or "name"');
      }
      const spec: IndicatorSpec =
        args.spec ??
        ({ indicator: 'saved', name: checkName('indicator', args.name ?? '') } as IndicatorSpec);
      const saved = await loadSavedIndicators(context.serving.workspace);
      return computeIndicator(spec, args.candles as Candle[], saved);
    },
  }),
];
