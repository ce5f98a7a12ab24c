// The agent's resource URIs (@warmgate/contract), and which of them a change to a workspace
// path touches (for resources/updated notifications to subscribers).
import { CONTEXT_URIS, indicatorUri, strategyUri } from '@warmgate/contract/context-uris';
import {
  CONVERSATIONS_DIR,
  INDICATORS_DIR,
  PROFILE_FILE,
  STRATEGIES_DIR,
  SYSTEM_PROMPT_FILE,
  WORKSPACE_FILE,
} from '../workspace/layout.js';

export const URIS = CONTEXT_URIS;
export { indicatorUri, strategyUri };

export function urisForPaths(paths: readonly string[]): string[] {
  const uris = new Set<string>();
  for (const path of paths) {
    if (path === PROFILE_FILE) uris.add(URIS.profile);
    else if (path === SYSTEM_PROMPT_FILE) uris.add(URIS.systemPrompt);
    else if (path === WORKSPACE_FILE) uris.add(URIS.workspaceState);
    else if (path.startsWith(`${CONVERSATIONS_DIR}/`)) uris.add(URIS.conversationSummary);
    else if (path.startsWith(`${INDICATORS_DIR}/`)) {
      uris.add(URIS.indicators);
      uris.add(indicatorUri(baseName(path)));
    } else if (path.startsWith(`${STRATEGIES_DIR}/`)) {
      uris.add(URIS.strategies);
      uris.add(strategyUri(baseName(path)));
    }
  }
  return [...uris];
}

function baseName(path: string): string {
  const file = path.slice(path.lastIndexOf('/') + 1);
  return file.endsWith('.json') ? file.slice(0, -'.json'.length) : file;
}
