// Saved indicators are files; the analysis library resolves references synchronously. So a
// compute or backtest loads the user's saved specs first (bounded in number) and hands the
// library a map lookup.
import type { IndicatorSpec, SavedLookup } from '../../analysis/index.js';
import { INDICATORS_DIR } from '../../workspace/layout.js';
import { listItems, readItem } from '../../workspace/records.js';
import type { Workspace } from '../../workspace/workspace.js';

export const MAX_SAVED_ITEMS = 200;

export async function loadSavedIndicators(workspace: Workspace): Promise<SavedLookup> {
  const names = (await listItems(workspace, INDICATORS_DIR)).slice(0, MAX_SAVED_ITEMS);
  const specs = new Map<string, IndicatorSpec>();
  for (const name of names) {
    const item = await readItem(workspace, INDICATORS_DIR, name, 'spec');
    if (item?.body !== undefined) specs.set(name, item.body as IndicatorSpec);
  }
  return (name) => specs.get(name);
}
