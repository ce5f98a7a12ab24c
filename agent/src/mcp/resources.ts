// The agent's resources: context the gateway reads into every turn (and subscribes to), and
// the indicator/strategy lists with one templated resource per saved item.
import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import { errors } from '@warmgate/proto';
import { indicatorCatalog } from '../analysis/index.js';
import { conversationSummary } from '../workspace/conversation-log.js';
import { INDICATORS_DIR, STRATEGIES_DIR } from '../workspace/layout.js';
import {
  checkName,
  listItems,
  readItem,
  readProfile,
  readSystemPrompt,
  readWorkspaceState,
} from '../workspace/records.js';
import { indicatorUri, strategyUri, URIS } from './resource-uris.js';
import type { ToolContext } from './tool-kit.js';
import { toMcpError } from './errors.js';
import { listIndicators } from './tools/indicator-tools.js';
import { listStrategies, readStrategy } from './tools/strategy-tools.js';

const JSON_MIME = 'application/json';
const MARKDOWN_MIME = 'text/markdown';

const json = (uri: string, value: unknown): ReadResourceResult => ({
  contents: [{ uri, mimeType: JSON_MIME, text: JSON.stringify(value, null, 2) }],
});
const markdown = (uri: string, text: string): ReadResourceResult => ({
  contents: [{ uri, mimeType: MARKDOWN_MIME, text }],
});

export function registerResources(server: McpServer, context: ToolContext): void {
  const workspace = () => context.serving.workspace;
  const fixed = (
    name: string,
    uri: string,
    mimeType: string,
    description: string,
    read: () => Promise<ReadResourceResult>,
  ) => server.registerResource(name, uri, { mimeType, description }, () => guarded(context, read));

  fixed('user-profile', URIS.profile, JSON_MIME, 'Preferences and trading style.', async () =>
    json(URIS.profile, await readProfile(workspace())),
  );
  fixed(
    'conversation-summary',
    URIS.conversationSummary,
    MARKDOWN_MIME,
    'The most recent conversation turns (at most 8,000 characters).',
    async () => markdown(URIS.conversationSummary, await conversationSummary(workspace())),
  );
  fixed(
    'workspace-state',
    URIS.workspaceState,
    JSON_MIME,
    'Chart symbol, timeframe, indicators on the chart, open analysis.',
    async () => json(URIS.workspaceState, await readWorkspaceState(workspace())),
  );
  fixed(
    'system-prompt',
    URIS.systemPrompt,
    MARKDOWN_MIME,
    "The user's own instructions for the assistant.",
    async () => markdown(URIS.systemPrompt, await readSystemPrompt(workspace())),
  );
  fixed(
    'indicators',
    URIS.indicators,
    JSON_MIME,
    'Built-in indicators with their parameters and outputs, and the saved ones.',
    async () => json(URIS.indicators, await listIndicators(context)),
  );
  fixed('strategies', URIS.strategies, JSON_MIME, "The user's saved strategies.", async () =>
    json(URIS.strategies, await listStrategies(workspace())),
  );
  registerItemTemplates(server, context);
}

function registerItemTemplates(server: McpServer, context: ToolContext): void {
  const workspace = () => context.serving.workspace;
  const nameOf = (variables: Record<string, string | string[]>) => {
    const value = variables.name;
    return checkName('item', Array.isArray(value) ? (value[0] ?? '') : (value ?? ''));
  };
  server.registerResource(
    'indicator',
    new ResourceTemplate('indicators://{name}', {
      list: async () => ({
        resources: (await listItems(workspace(), INDICATORS_DIR)).map((name) => ({
          uri: indicatorUri(name),
          name: `indicator ${name}`,
          mimeType: JSON_MIME,
        })),
      }),
    }),
    { mimeType: JSON_MIME, description: 'A saved indicator, or a built-in one, by name.' },
    (uri, variables) =>
      guarded(context, async () => {
        const name = nameOf(variables);
        const item = await readItem(workspace(), INDICATORS_DIR, name, 'spec');
        if (item) {
          return json(uri.href, {
            name,
            description: item.description,
            spec: item.body,
            saved: true,
          });
        }
        const builtin = indicatorCatalog.find((entry) => entry.name === name);
        if (builtin) return json(uri.href, { ...builtin, saved: false });
        throw errors.notFound(`no indicator "${name}"`);
      }),
  );
  server.registerResource(
    'strategy',
    new ResourceTemplate('strategies://{name}', {
      list: async () => ({
        resources: (await listItems(workspace(), STRATEGIES_DIR)).map((name) => ({
          uri: strategyUri(name),
          name: `strategy ${name}`,
          mimeType: JSON_MIME,
        })),
      }),
    }),
    { mimeType: JSON_MIME, description: 'A saved strategy by name.' },
    (uri, variables) =>
      guarded(context, async () => {
        const name = nameOf(variables);
        const strategy = await readStrategy(workspace(), name);
        if (!strategy) throw errors.notFound(`no strategy "${name}"`);
        return json(uri.href, strategy);
      }),
  );
}

async function guarded<T>(context: ToolContext, read: () => Promise<T>): Promise<T> {
  try {
    return await context.core.track(read);
  } catch (error) {
    throw toMcpError(error);
  }
}
