// The documented layout of a user's repository (agent/README.md, "Workspace layout") and the
// contents a first-time user starts with.
import { z } from 'zod';

export const PROFILE_FILE = 'profile.json';
export const SYSTEM_PROMPT_FILE = 'system-prompt.md';
export const WORKSPACE_FILE = 'workspace.json';
export const INDICATORS_DIR = 'indicators';
export const STRATEGIES_DIR = 'strategies';
export const CONVERSATIONS_DIR = 'conversations';

export const TIMEFRAMES = ['1m', '5m', '15m', '30m', '1h', '4h', '1d', '1w'] as const;

export const ProfileSchema = z.object({
  displayName: z.string().max(200),
  tradingStyle: z.string().max(2000),
  riskTolerance: z.enum(['low', 'medium', 'high']),
  markets: z.array(z.string().max(64)).max(50),
  preferences: z
    .record(z.string().max(64), z.string().max(500))
    .refine((record) => Object.keys(record).length <= 50, 'at most 50 preferences'),
});
export type Profile = z.infer<typeof ProfileSchema>;

export const ChartIndicatorSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'id must match ^[a-z0-9][a-z0-9_-]{0,63}$'),
  /** An IndicatorSpec (validated by the analysis library when the tool saves it). */
  spec: z.record(z.string(), z.unknown()),
});

export const WorkspaceStateSchema = z.object({
  symbol: z.string().min(1).max(32),
  timeframe: z.enum(TIMEFRAMES),
  indicators: z.array(ChartIndicatorSchema).max(32),
  openAnalysis: z.string().max(4000).nullable(),
});
export type WorkspaceState = z.infer<typeof WorkspaceStateSchema>;

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
