// One part of the report: its markdown, its charts, and the headline numbers it contributes.
import type { Results } from './results.js';

export interface Chart {
  /** File name under docs/benchmarks/, e.g. "cold-vs-warm.svg". */
  readonly file: string;
  readonly svg: string;
  /** Alt text. */
  readonly alt: string;
}

export interface Section {
  readonly title: string;
  readonly body: string;
  readonly charts: readonly Chart[];
  /** One-line findings for the summary at the top of the report. */
  readonly headlines: readonly string[];
}

export type SectionBuilder = (results: Results) => Section;

/** Builds a section from paragraphs, dropping empty ones. */
export function section(
  title: string,
  paragraphs: readonly (string | undefined)[],
  charts: readonly (Chart | undefined)[] = [],
  headlines: readonly (string | undefined)[] = [],
): Section {
  const keep = <T>(list: readonly (T | undefined)[]) => list.filter((x): x is T => x !== undefined);
  return {
    title,
    body: keep(paragraphs).join('\n\n'),
    charts: keep(charts),
    headlines: keep(headlines),
  };
}
