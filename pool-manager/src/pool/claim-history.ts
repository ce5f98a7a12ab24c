// Claims counted per day and per time-of-day bucket, kept for a few weeks: what the
// predictive sizer learns the daily shape from. No calendar, no market hours: a holiday, a
// half day or another exchange's open is just what the counts say.

export const dayMs = 86_400_000;

export interface ClaimHistoryOptions {
  /** Width of one time-of-day bucket; must divide a day. */
  readonly bucketMs: number;
  /** Complete days kept (28 = four of each weekday). */
  readonly keepDays: number;
}

/** One profile's counts as persisted: day index (UTC days since the epoch) → counts. */
export interface ClaimHistoryRecord {
  readonly days: Record<string, number[]>;
}

/** How much of the same weekday and of the last days goes into a forecast. */
const sameWeekdayDays = 4;
const recentDays = 3;
const sameWeekdayWeight = 2;

/**
 * The forecast for a time of day on day D blends the same weekday of the last weeks (the
 * weekly shape: a quiet Saturday) with the last few days (a change of hours is picked up
 * within days). Days are UTC; a daylight-saving shift is relearned like any other shift.
 */
export class ClaimHistory {
  private readonly days = new Map<number, number[]>();
  readonly bucketsPerDay: number;

  constructor(private readonly options: ClaimHistoryOptions) {
    if (options.bucketMs <= 0 || dayMs % options.bucketMs !== 0) {
      throw new Error(`bucket of ${options.bucketMs} ms does not divide a day`);
    }
    this.bucketsPerDay = dayMs / options.bucketMs;
  }

  get bucketMs(): number {
    return this.options.bucketMs;
  }

  record(now: number, count = 1): void {
    const counts = this.touch(now);
    const bucket = this.bucketOf(now);
    counts[bucket] = (counts[bucket] ?? 0) + count;
  }

  /**
   * Marks `now`'s day as observed: a day the pool ran without a claim is a quiet day to
   * learn from (a weekend, a holiday), not a day missing from the history.
   */
  touch(now: number): number[] {
    const day = Math.floor(now / dayMs);
    let counts = this.days.get(day);
    if (!counts) {
      counts = new Array<number>(this.bucketsPerDay).fill(0);
      this.days.set(day, counts);
      this.prune(day);
    }
    return counts;
  }

  /**
   * Expected claims per ms at `at`, from the complete days before `today` (the day in
   * progress is partial, so it never forecasts itself).
   */
  ratePerMs(at: number, today: number): number {
    const day = Math.floor(at / dayMs);
    const bucket = this.bucketOf(at);
    const past = [...this.days.keys()].filter((d) => d < today).sort((a, b) => b - a);
    if (past.length === 0) return 0;
    const recent = past.slice(0, recentDays);
    const weekday = past.filter((d) => (day - d) % 7 === 0).slice(0, sameWeekdayDays);
    const mean = (days: number[]) =>
      days.reduce((sum, d) => sum + this.days.get(d)![bucket]!, 0) / days.length;
    const claims =
      weekday.length === 0
        ? mean(recent)
        : (sameWeekdayWeight * mean(weekday) + mean(recent)) / (sameWeekdayWeight + 1);
    return claims / this.options.bucketMs;
  }

  /** The highest forecast rate over [from, to] (every bucket the interval touches). */
  peakRatePerMs(from: number, to: number, today: number): number {
    let peak = 0;
    const { bucketMs } = this.options;
    for (let t = Math.floor(from / bucketMs) * bucketMs; t <= to; t += bucketMs) {
      peak = Math.max(peak, this.ratePerMs(t, today));
    }
    return peak;
  }

  /** Days with any counts (complete or not). */
  get dayCount(): number {
    return this.days.size;
  }

  toRecord(): ClaimHistoryRecord {
    const days: Record<string, number[]> = {};
    for (const [day, counts] of [...this.days].sort((a, b) => a[0] - b[0])) {
      days[String(day)] = [...counts];
    }
    return { days };
  }

  /** Replaces the counts with a persisted record; throws (and keeps nothing) if it is malformed. */
  restore(record: unknown): void {
    const days = parseDays(record, this.bucketsPerDay);
    this.days.clear();
    for (const [day, counts] of days) this.days.set(day, counts);
    const newest = Math.max(...this.days.keys());
    if (Number.isFinite(newest)) this.prune(newest);
  }

  private bucketOf(at: number): number {
    return Math.floor((((at % dayMs) + dayMs) % dayMs) / this.options.bucketMs);
  }

  /** Keeps `keepDays` complete days before `today`, plus today. */
  private prune(today: number): void {
    for (const day of this.days.keys()) {
      if (day < today - this.options.keepDays) this.days.delete(day);
    }
  }
}

function parseDays(record: unknown, buckets: number): Map<number, number[]> {
  if (typeof record !== 'object' || record === null) throw new Error('not an object');
  const days = (record as { days?: unknown }).days;
  if (typeof days !== 'object' || days === null || Array.isArray(days)) {
    throw new Error('"days" is not an object');
  }
  const parsed = new Map<number, number[]>();
  for (const [key, counts] of Object.entries(days)) {
    const day = Number(key);
    if (!Number.isSafeInteger(day) || day < 0) throw new Error(`day "${key}" is not a day index`);
    if (
      !Array.isArray(counts) ||
      counts.length !== buckets ||
      !counts.every((c) => typeof c === 'number' && Number.isFinite(c) && c >= 0)
    ) {
      throw new Error(`day ${key}: expected ${buckets} non-negative counts`);
    }
    parsed.set(day, counts as number[]);
  }
  return parsed;
}
