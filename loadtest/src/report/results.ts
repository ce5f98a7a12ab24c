// The benchmark results the report is made of: bench-results/<name>.json as the harness and
// the load-test runner write them. Any of them may be missing or from an older shape, so
// every read is defensive and says why a number is absent.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type Json = unknown;

/** name → parsed JSON, or the reason it could not be read. */
export type Results = ReadonlyMap<string, { readonly data?: Json; readonly error?: string }>;

export function loadResults(dir: string): Results {
  const out = new Map<string, { data?: Json; error?: string }>();
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  } catch {
    return out;
  }
  for (const file of files.sort()) {
    const name = file.slice(0, -'.json'.length);
    try {
      out.set(name, { data: JSON.parse(readFileSync(join(dir, file), 'utf8')) as Json });
    } catch (error) {
      out.set(name, {
        error: `bench-results/${file} is not valid JSON (${(error as Error).message})`,
      });
    }
  }
  return out;
}

/** A value at a dotted path ("cold.p50_ms"; keys with dots can be given as an array). */
export function at(data: Json, path: string | readonly string[]): Json {
  const keys = typeof path === 'string' ? path.split('.') : path;
  let value: Json = data;
  for (const key of keys) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, Json>)[key];
  }
  return value;
}

export function num(data: Json, path: string | readonly string[]): number | undefined {
  const value = at(data, path);
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Either the named result or the reason it is missing, phrased for the reader. */
export function resultOf(
  results: Results,
  name: string,
  command: string,
): { data?: Json; missing?: string } {
  const entry = results.get(name);
  if (!entry) return { missing: `no bench-results/${name}.json — run \`${command}\`` };
  if (entry.error) return { missing: entry.error };
  return { data: entry.data };
}

/** The k6 runs of one load scenario (bench-results/loadtest-<scenario>.json). */
export interface LoadRun {
  readonly label: string;
  readonly thresholdsPassed: boolean;
  readonly data: Json;
}

export function loadRuns(data: Json): LoadRun[] {
  const runs = at(data, 'runs');
  if (!Array.isArray(runs)) return [];
  return runs.map((run: Json) => ({
    label: String(at(run, 'label') ?? 'default'),
    thresholdsPassed: at(run, 'thresholds_passed') === true,
    data: run,
  }));
}

/** A k6 metric statistic of one run, e.g. ("warmgate_chat_turn", "p(95)"). */
export function k6Stat(run: LoadRun, metric: string, stat: string): number | undefined {
  return num(run.data, ['k6', metric, stat]);
}
