import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

/** Percentiles and summary of a sample of durations in milliseconds. */
export interface Summary {
  n: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  mean_ms: number;
  max_ms: number;
}

export function summarize(samplesMs: readonly number[]): Summary {
  if (samplesMs.length === 0) throw new Error('no samples');
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  const round = (v: number) => Math.round(v * 1000) / 1000;
  return {
    n: sorted.length,
    p50_ms: round(at(0.5)),
    p95_ms: round(at(0.95)),
    p99_ms: round(at(0.99)),
    mean_ms: round(sorted.reduce((s, v) => s + v, 0) / sorted.length),
    max_ms: round(sorted[sorted.length - 1]!),
  };
}

/** Times `fn` `n` times sequentially, after `warmup` untimed runs. */
export async function timeSequential(n: number, fn: (i: number) => Promise<unknown>, warmup = 0) {
  for (let i = 0; i < warmup; i++) await fn(-1 - i);
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    await fn(i);
    samples.push(performance.now() - start);
  }
  return samples;
}

/** Runs `fn` with `concurrency` workers until `n` calls are done; returns per-call times and calls/s. */
export async function timeConcurrent(
  n: number,
  concurrency: number,
  fn: (i: number) => Promise<unknown>,
) {
  const samples: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        const start = performance.now();
        await fn(i);
        samples.push(performance.now() - start);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { samples, perSecond: n / seconds };
}

/** Prints rows as an aligned text table. */
export function printTable(title: string, rows: Record<string, string | number>[]): void {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!);
  const text = (v: string | number | undefined) => (typeof v === 'number' ? fmt(v) : (v ?? ''));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => text(r[c]).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join('  ');
  console.log(`\n${title}`);
  console.log(line(columns));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) console.log(line(columns.map((c) => text(row[c]))));
}

function fmt(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(3);
}

/** The machine a result was measured on, recorded with every result. */
export function machine() {
  return {
    cpus: cpus().length,
    cpu_model: cpus()[0]?.model ?? 'unknown',
    memory_gib: Math.round(totalmem() / 2 ** 30),
    node: process.versions.node,
    platform: `${process.platform}-${process.arch}`,
  };
}

/** Writes bench-results/<name>.json (the result fields at the top level, plus `_meta`). */
export function writeResult(name: string, result: Record<string, unknown>): string {
  const dir = join(process.cwd(), 'bench-results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  const body = { ...result, _meta: { name, at: new Date().toISOString(), machine: machine() } };
  writeFileSync(file, `${JSON.stringify(body, null, 2)}\n`);
  console.log(`\nwrote ${file}`);
  return file;
}
