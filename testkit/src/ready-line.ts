/** A process's JSON ready line, `{"ready":true,...}`, as it printed it. */
export type ReadyLine = Record<string, unknown> & { readonly ready?: unknown };

/** The JSON object on this stdout line, or undefined when the line is not one. */
export function parseReadyLine(line: string): ReadyLine | undefined {
  const text = line.trim();
  if (!text.startsWith('{')) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as ReadyLine)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The default readiness test: `"ready":true`. */
export const isReady = (line: ReadyLine): boolean => line.ready === true;
