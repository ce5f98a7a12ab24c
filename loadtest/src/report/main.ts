// `npm run bench -- report`: renders docs/benchmarks.md and docs/benchmarks/*.svg from
// bench-results/*.json. Runs last in `npm run bench -- all`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderReport } from './render-report.js';
import { loadResults } from './results.js';

export async function run(): Promise<void> {
  const root = process.cwd();
  const results = loadResults(join(root, 'bench-results'));
  const report = renderReport(results);
  const chartDir = join(root, 'docs', 'benchmarks');
  mkdirSync(chartDir, { recursive: true });
  for (const chart of report.charts) writeFileSync(join(chartDir, chart.file), chart.svg);
  writeFileSync(join(root, 'docs', 'benchmarks.md'), report.markdown);
  console.log(`wrote docs/benchmarks.md (${results.size} results, ${report.charts.length} charts)`);
}
