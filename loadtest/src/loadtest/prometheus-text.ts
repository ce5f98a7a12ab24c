// A small reader of the Prometheus text exposition (what the stack serves on /metrics):
// enough to sum counters and histogram counts by name and labels.

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const line = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/;
const label = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const raw of text.split('\n')) {
    if (raw.startsWith('#') || raw.trim() === '') continue;
    const match = line.exec(raw);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[3] ?? '').matchAll(label)) {
      labels[key!] = value!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    const value = Number(match[4]);
    if (!Number.isNaN(value)) samples.push({ name: match[1]!, labels, value });
  }
  return samples;
}

/**
 * Sums samples whose name starts with `prefix` and ends with `suffix` (exporters add unit
 * and `_total` suffixes differently) and whose labels include `where`.
 */
export function sumOf(
  samples: readonly Sample[],
  prefix: string,
  suffix = '',
  where: Readonly<Record<string, string>> = {},
): number {
  let total = 0;
  for (const sample of samples) {
    if (!sample.name.startsWith(prefix) || !sample.name.endsWith(suffix)) continue;
    if (Object.entries(where).every(([k, v]) => sample.labels[k] === v)) total += sample.value;
  }
  return total;
}

/** Sums by the values of one label (e.g. claims by source). */
export function sumBy(
  samples: readonly Sample[],
  prefix: string,
  suffix: string,
  by: string,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const sample of samples) {
    if (!sample.name.startsWith(prefix) || !sample.name.endsWith(suffix)) continue;
    const key = sample.labels[by];
    if (key !== undefined) out[key] = (out[key] ?? 0) + sample.value;
  }
  return out;
}
