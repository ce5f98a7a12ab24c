// Two small chart kinds as standalone SVG text (no dependencies, no fonts to fetch): grouped
// horizontal bars and lines over a numeric x axis. Deterministic output, so a regenerated
// report only changes where the numbers changed.

export interface Bar {
  readonly label: string;
  readonly value: number;
  /** Bars of one series share a colour; defaults to the first. */
  readonly series?: string;
}

export interface BarChart {
  readonly title: string;
  readonly unit: string;
  readonly bars: readonly Bar[];
}

export interface LineSeries {
  readonly name: string;
  readonly points: readonly (readonly [number, number])[];
}

export interface LineChart {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly LineSeries[];
}

const palette = ['#2f6fbf', '#e07b24', '#3a9a5b', '#b8433f', '#7b5ea7'];
const font = 'font-family="system-ui, sans-serif" font-size="12"';

export function barChart(chart: BarChart): string {
  const width = 640;
  const labelW = 190;
  const rowH = 24;
  const top = 40;
  const seriesNames = unique(chart.bars.map((b) => b.series ?? ''));
  const legendH = seriesNames.length > 1 ? 30 : 0;
  const height = top + chart.bars.length * rowH + 30 + legendH;
  const max = niceMax(Math.max(0, ...chart.bars.map((b) => b.value)));
  const plotW = width - labelW - 80;
  const x = (v: number) => labelW + (max === 0 ? 0 : (v / max) * plotW);
  const parts = [header(width, height, chart.title)];
  chart.bars.forEach((bar, i) => {
    const y = top + i * rowH;
    const colour = palette[seriesNames.indexOf(bar.series ?? '') % palette.length];
    const w = Math.max(1, x(bar.value) - labelW);
    parts.push(
      `<text x="${labelW - 8}" y="${y + 15}" text-anchor="end" ${font}>${esc(bar.label)}</text>`,
      `<rect x="${labelW}" y="${y + 3}" width="${fix(w)}" height="${rowH - 8}" fill="${colour}"/>`,
      `<text x="${fix(labelW + w + 6)}" y="${y + 15}" ${font}>${esc(formatNumber(bar.value))} ${esc(chart.unit)}</text>`,
    );
  });
  const axisY = top + chart.bars.length * rowH + 4;
  parts.push(
    `<line x1="${labelW}" y1="${axisY}" x2="${labelW + plotW}" y2="${axisY}" stroke="#888"/>`,
  );
  for (const tick of ticks(max)) {
    parts.push(
      `<text x="${fix(x(tick))}" y="${axisY + 16}" text-anchor="middle" ${font} fill="#555">${formatNumber(tick)}</text>`,
    );
  }
  if (legendH > 0) parts.push(legend(seriesNames, labelW, axisY + 40));
  parts.push('</svg>\n');
  return parts.join('\n');
}

export function lineChart(chart: LineChart): string {
  const width = 640;
  const height = 340;
  const left = 70;
  const right = 20;
  const top = 40;
  const bottom = 70;
  const all = chart.series.flatMap((s) => s.points);
  const maxX = niceMax(Math.max(0, ...all.map((p) => p[0])));
  const maxY = niceMax(Math.max(0, ...all.map((p) => p[1])));
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const x = (v: number) => left + (maxX === 0 ? 0 : (v / maxX) * plotW);
  const y = (v: number) => top + plotH - (maxY === 0 ? 0 : (v / maxY) * plotH);
  const parts = [header(width, height, chart.title)];
  parts.push(
    `<line x1="${left}" y1="${top + plotH}" x2="${left + plotW}" y2="${top + plotH}" stroke="#888"/>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotH}" stroke="#888"/>`,
  );
  for (const t of ticks(maxX)) {
    parts.push(
      `<text x="${fix(x(t))}" y="${top + plotH + 16}" text-anchor="middle" ${font} fill="#555">${formatNumber(t)}</text>`,
    );
  }
  for (const t of ticks(maxY)) {
    parts.push(
      `<line x1="${left}" y1="${fix(y(t))}" x2="${left + plotW}" y2="${fix(y(t))}" stroke="#eee"/>`,
      `<text x="${left - 6}" y="${fix(y(t) + 4)}" text-anchor="end" ${font} fill="#555">${formatNumber(t)}</text>`,
    );
  }
  parts.push(
    `<text x="${left + plotW / 2}" y="${top + plotH + 34}" text-anchor="middle" ${font}>${esc(chart.xLabel)}</text>`,
    `<text x="14" y="${top + plotH / 2}" text-anchor="middle" ${font} transform="rotate(-90 14 ${top + plotH / 2})">${esc(chart.yLabel)}</text>`,
  );
  chart.series.forEach((series, i) => {
    const colour = palette[i % palette.length];
    const path = series.points.map(([px, py]) => `${fix(x(px))},${fix(y(py))}`).join(' ');
    parts.push(`<polyline points="${path}" fill="none" stroke="${colour}" stroke-width="2"/>`);
    for (const [px, py] of series.points) {
      parts.push(`<circle cx="${fix(x(px))}" cy="${fix(y(py))}" r="3" fill="${colour}"/>`);
    }
  });
  if (chart.series.length > 1)
    parts.push(
      legend(
        chart.series.map((s) => s.name),
        left,
        height - 16,
      ),
    );
  parts.push('</svg>\n');
  return parts.join('\n');
}

function header(width: number, height: number, title: string): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="12" y="22" font-family="system-ui, sans-serif" font-size="14" font-weight="bold">${esc(title)}</text>`,
  ].join('\n');
}

function legend(names: readonly string[], x0: number, y: number): string {
  let x = x0;
  const items: string[] = [];
  names.forEach((name, i) => {
    items.push(
      `<rect x="${x}" y="${y - 10}" width="12" height="12" fill="${palette[i % palette.length]}"/>`,
      `<text x="${x + 16}" y="${y}" ${font}>${esc(name)}</text>`,
    );
    x += 28 + name.length * 7;
  });
  return items.join('\n');
}

/** The smallest 1/2/5×10^n at or above `v` (0 stays 0). */
export function niceMax(v: number): number {
  if (!(v > 0)) return 0;
  const power = 10 ** Math.floor(Math.log10(v));
  for (const step of [1, 2, 5, 10]) if (step * power >= v) return step * power;
  return 10 * power;
}

function ticks(max: number): number[] {
  if (max === 0) return [0];
  return [0, 1, 2, 3, 4].map((i) => (max * i) / 4);
}

export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const abs = Math.abs(v);
  if (abs >= 1000) return Math.round(v).toLocaleString('en-US');
  if (abs >= 100 || Number.isInteger(v)) return String(Math.round(v));
  if (abs >= 10) return v.toFixed(1);
  if (abs >= 1) return v.toFixed(2);
  return v.toPrecision(2);
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function fix(v: number): string {
  return (Math.round(v * 10) / 10).toString();
}

function esc(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}
