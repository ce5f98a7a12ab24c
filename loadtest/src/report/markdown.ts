// Markdown building blocks for the report.
import { formatNumber } from './svg-chart.js';

export type Cell = string | number | undefined;

export function table(columns: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const cell = (v: Cell) => (v === undefined ? '—' : typeof v === 'number' ? formatNumber(v) : v);
  const lines = [
    `| ${columns.join(' | ')} |`,
    `| ${columns.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ];
  return lines.join('\n');
}

export function notMeasured(reason: string): string {
  return `_Not measured: ${reason}._`;
}

export function ms(v: number | undefined): Cell {
  return v === undefined ? undefined : `${formatNumber(v)} ms`;
}

export function percent(rate: number | undefined): Cell {
  return rate === undefined ? undefined : `${(rate * 100).toFixed(1)} %`;
}

export function times(ratio: number | undefined): Cell {
  return ratio === undefined ? undefined : `${ratio.toFixed(2)}×`;
}
