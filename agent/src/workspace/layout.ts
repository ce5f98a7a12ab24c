// The documented layout of a user's repository (agent/README.md, "Workspace layout") and the
// contents a first-time user starts with.
import { z } from 'zod';

// The file names and a new user's files need no zod: the sidecar (template-repo.ts) loads
// them without it (docs/benchmarks.md, footprint).
export * from './template-files.js';

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
