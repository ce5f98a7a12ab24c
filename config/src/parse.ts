// The value parsers every service's config.ts shares. Each takes the raw text of one setting
// and returns the value or throws an Error whose message says what was expected (the caller
// puts the setting's name in front: see settings.ts).

/** The one accepted spelling set, any case. */
const TRUE = ['1', 'true', 'yes', 'on'];
const FALSE = ['0', 'false', 'no', 'off'];

export function parseBoolean(raw: string): boolean {
  const value = raw.trim().toLowerCase();
  if (TRUE.includes(value)) return true;
  if (FALSE.includes(value)) return false;
  throw new Error('expected true or false (also 1/0, yes/no, on/off)');
}

export interface NumberRange {
  readonly min?: number;
  readonly max?: number;
}

function rangeText({ min, max }: NumberRange): string {
  if (min !== undefined && max !== undefined) return `from ${min} to ${max}`;
  if (min !== undefined) return `≥ ${min}`;
  if (max !== undefined) return `≤ ${max}`;
  return '';
}

function inRange(value: number, { min, max }: NumberRange): boolean {
  return (min === undefined || value >= min) && (max === undefined || value <= max);
}

/** A number (fractions allowed) within the range. */
export function parseNumber(raw: string, range: NumberRange = {}): number {
  const value = raw.trim() === '' ? NaN : Number(raw);
  if (!Number.isFinite(value) || !inRange(value, range)) {
    throw new Error(`expected a number ${rangeText(range)}`.trimEnd());
  }
  return value;
}

/** A whole number within the range. */
export function parseInteger(raw: string, range: NumberRange = {}): number {
  const value = raw.trim() === '' ? NaN : Number(raw);
  if (!Number.isSafeInteger(value) || !inRange(value, range)) {
    throw new Error(`expected a whole number ${rangeText(range)}`.trimEnd());
  }
  return value;
}

/** A TCP port, 0 (ephemeral) to 65535. */
export function parsePort(raw: string): number {
  try {
    return parseInteger(raw, { min: 0, max: 65535 });
  } catch {
    throw new Error('expected a port 0-65535');
  }
}

export type DurationUnit = 'ms' | 's' | 'm' | 'h';

const UNIT_MS: Record<DurationUnit, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export interface DurationOptions extends NumberRange {
  /**
   * The unit of a bare number: 'ms' for the `_MS` settings and the pool manager's durations,
   * 's' for the `_S` settings. "250ms", "15s", "10m", "8h" are read the same either way.
   */
  readonly bare?: DurationUnit;
}

/**
 * "250ms", "1.5s", "15m", "8h", or a bare number in `bare` units (default ms). Returns whole
 * milliseconds; `min`/`max` are milliseconds too.
 */
export function parseDuration(raw: string, options: DurationOptions = {}): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(raw.trim());
  if (!match) throw new Error('expected a duration like 250ms, 15s, 10m or 8h');
  const unit = UNIT_MS[(match[2] as DurationUnit | undefined) ?? options.bare ?? 'ms'];
  const ms = Math.round(Number(match[1]) * unit);
  if (!inRange(ms, options)) {
    throw new Error(`expected a duration ${durationRangeText(options)}`);
  }
  return ms;
}

function durationRangeText({ min, max }: NumberRange): string {
  const text = (ms: number) => (ms % 1000 === 0 && ms > 0 ? `${ms / 1000}s` : `${ms}ms`);
  if (min !== undefined && max !== undefined) return `from ${text(min)} to ${text(max)}`;
  if (min !== undefined) return `of at least ${text(min)}`;
  return `of at most ${text(max ?? 0)}`;
}
