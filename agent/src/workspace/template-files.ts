// The file names of a user's repository and every file a first-time user starts with, without
// zod (layout.ts holds the schemas): the sidecar makes the template repository from these, and
// a warm sidecar that imported the schemas carried all of zod (about 3 MiB resident) for
// nothing (docs/benchmarks.md, footprint).
import type { Profile, WorkspaceState } from './layout.js';

export const PROFILE_FILE = 'profile.json';
export const SYSTEM_PROMPT_FILE = 'system-prompt.md';
export const WORKSPACE_FILE = 'workspace.json';
export const INDICATORS_DIR = 'indicators';
export const STRATEGIES_DIR = 'strategies';
export const CONVERSATIONS_DIR = 'conversations';

export const DEFAULT_PROFILE: Profile = {
  displayName: '',
  tradingStyle: '',
  riskTolerance: 'medium',
  markets: [],
  preferences: {},
};

export const DEFAULT_WORKSPACE: WorkspaceState = {
  symbol: 'BTCUSDT',
  timeframe: '1h',
  indicators: [],
  openAnalysis: null,
};

export const DEFAULT_SYSTEM_PROMPT = `# My assistant

<!-- Your own instructions for the assistant. They are added to every conversation. -->
`;

const REPO_README = `# My Warmgate workspace

| path | what |
|---|---|
| \`profile.json\` | preferences and trading style |
| \`system-prompt.md\` | your own instructions for the assistant |
| \`workspace.json\` | chart symbol, timeframe, indicators on the chart, open analysis |
| \`indicators/<name>.json\` | saved indicators |
| \`strategies/<name>.json\` | saved strategies |
| \`conversations/<yyyy-mm-dd>.jsonl\` | finished conversation turns, one JSON object per line |
`;

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** Every file of a new user's repository, by path. */
export const TEMPLATE_FILES: Readonly<Record<string, string>> = {
  'README.md': REPO_README,
  [PROFILE_FILE]: json(DEFAULT_PROFILE),
  [SYSTEM_PROMPT_FILE]: DEFAULT_SYSTEM_PROMPT,
  [WORKSPACE_FILE]: json(DEFAULT_WORKSPACE),
  [`${INDICATORS_DIR}/.gitkeep`]: '',
  [`${STRATEGIES_DIR}/.gitkeep`]: '',
  [`${CONVERSATIONS_DIR}/.gitkeep`]: '',
};
