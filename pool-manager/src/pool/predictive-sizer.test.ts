import { describe, expect, it } from 'vitest';
import { ClaimHistory, dayMs } from './claim-history.js';
import { worthKeeping } from './poisson.js';
import { defaultPredictiveOptions, PredictiveSizer } from './predictive-sizer.js';

const minute = 60_000;
const hour = 60 * minute;
/** Monday 2026-03-16 00:00 UTC; the days before it are history. */
const monday = Date.UTC(2026, 2, 16);

const sizing = {
  enabled: true,
  minWarm: 1,
  maxWarm: 40,
  margin: 0.5,
  windowMs: 2 * minute,
  initialCreateMs: 8000,
};

/** Evenly spaced claims: `perMinute` from `from` to `to` (ms). */
function claims(
  sizer: { recordClaim(now: number): void },
  from: number,
  to: number,
  perMinute: number,
) {
  const gap = minute / perMinute;
  for (let t = from; t < to; t += gap) sizer.recordClaim(t);
}

/** A usual day: quiet, an open at 07:00 (15 min at 40/min), a steady day at 6/min until 12:00. */
function usualDay(sizer: { recordClaim(now: number): void }, dayStart: number) {
  claims(sizer, dayStart, dayStart + 6 * hour, 0.2);
  claims(sizer, dayStart + 6 * hour, dayStart + 7 * hour, 2);
  claims(sizer, dayStart + 7 * hour, dayStart + 7.25 * hour, 40);
  claims(sizer, dayStart + 7.25 * hour, dayStart + 12 * hour, 6);
}

/** A sizer that has seen `days` usual days before Monday. */
function trained(days = 4): PredictiveSizer {
  const sizer = new PredictiveSizer(sizing);
  for (let back = days; back >= 1; back--) usualDay(sizer, monday - back * dayMs);
  return sizer;
}

describe('worthKeeping', () => {
  it('keeps a container while it saves at least the given cold starts an hour', () => {
    const create = 8000;
    expect(worthKeeping(0, create, 15)).toBe(0);
    // 0.2/min: the first saves ~12 an hour, a second would save 0.3.
    expect(worthKeeping(12, create, 15)).toBe(1);
    expect(worthKeeping(60, create, 15)).toBe(1);
    expect(worthKeeping(60, create, 5)).toBe(2);
    // 6/min: the 4th would save 13.8 an hour (not enough at 15), the 3rd saves 52.
    expect(worthKeeping(360, create, 15)).toBe(3);
    expect(worthKeeping(360, create, 10)).toBe(4);
    // 40/min: well above the mean of 5.3.
    expect(worthKeeping(2400, create, 15)).toBe(12);
    // Slower creates need more.
    expect(worthKeeping(360, 2 * create, 15)).toBeGreaterThan(3);
    // A huge burst: at least its mean.
    expect(worthKeeping(3_600_000, create, 15)).toBeGreaterThanOrEqual(8000);
  });
});

/** ClaimHistory under the name the helpers above use. */
const counting = (history: ClaimHistory) => ({ recordClaim: (t: number) => history.record(t) });

describe('ClaimHistory', () => {
  it('counts claims per day and time-of-day bucket, and forecasts from complete days only', () => {
    const history = new ClaimHistory({ bucketMs: 5 * minute, keepDays: 28 });
    claims(
      counting(history),
      monday - dayMs + 7 * hour,
      monday - dayMs + 7 * hour + 5 * minute,
      40,
    );
    // 200 claims in the 07:00 bucket yesterday: 40/min.
    expect(history.ratePerMs(monday + 7 * hour, monday / dayMs) * minute).toBeCloseTo(40);
    expect(history.ratePerMs(monday + 8 * hour, monday / dayMs)).toBe(0);
    // Today's own claims never forecast today.
    claims(counting(history), monday + 9 * hour, monday + 9 * hour + 5 * minute, 40);
    expect(history.ratePerMs(monday + 9 * hour, monday / dayMs)).toBe(0);
  });

  it('weighs the same weekday of past weeks over the last days (a quiet weekend)', () => {
    const history = new ClaimHistory({ bucketMs: 5 * minute, keepDays: 28 });
    const saturday = Date.UTC(2026, 2, 21);
    for (let back = 14; back >= 1; back--) {
      const start = saturday - back * dayMs;
      const weekday = new Date(start).getUTCDay();
      // The pool ran on the weekend too, and saw no claims.
      if (weekday !== 0 && weekday !== 6) {
        claims(counting(history), start + 7 * hour, start + 8 * hour, 10);
      } else history.touch(start + 12 * hour);
    }
    const today = saturday / dayMs;
    const onSaturday = history.ratePerMs(saturday + 7 * hour, today) * minute;
    const onFriday = history.ratePerMs(saturday - dayMs + 7 * hour, today) * minute;
    expect(onFriday).toBeCloseTo(10);
    // Past Saturdays say 0, the last three days say 10: a third of a weekday.
    expect(onSaturday).toBeCloseTo(10 / 3);
  });

  it('keeps only keepDays complete days', () => {
    const history = new ClaimHistory({ bucketMs: 5 * minute, keepDays: 3 });
    for (let back = 10; back >= 0; back--) history.record(monday - back * dayMs + hour);
    expect(history.dayCount).toBe(4);
    expect(Object.keys(history.toRecord().days)).toHaveLength(4);
  });

  it('round-trips through its record and refuses a malformed one, keeping what it had', () => {
    const history = new ClaimHistory({ bucketMs: 5 * minute, keepDays: 28 });
    usualDay(counting(history), monday - dayMs);
    const record = JSON.parse(JSON.stringify(history.toRecord())) as unknown;
    const copy = new ClaimHistory({ bucketMs: 5 * minute, keepDays: 28 });
    copy.restore(record);
    expect(copy.toRecord()).toEqual(history.toRecord());
    const at = monday + 7 * hour;
    expect(copy.ratePerMs(at, monday / dayMs)).toBe(history.ratePerMs(at, monday / dayMs));
    expect(() => copy.restore({ days: { x: [] } })).toThrow(/not a day index/);
    expect(() => copy.restore({ days: { 5: [1, 2] } })).toThrow(/288 non-negative counts/);
    expect(() => copy.restore({ days: { 5: new Array(288).fill(-1) } })).toThrow(/non-negative/);
    expect(() => copy.restore('nonsense')).toThrow(/not an object/);
    expect(copy.toRecord()).toEqual(history.toRecord());
  });
});

describe('PredictiveSizer', () => {
  it('warms for the open one replenish time ahead, not before, from history alone', () => {
    const open = monday + 7 * hour;
    const sizer = trainedUntil(open - 10 * minute);
    // Long before the open: the pre-market needs a couple.
    expect(sizer.decide(open - 10 * minute).history).toBeLessThanOrEqual(3);
    // Within replenish (8 s) + slack (5 s) of the open: the open's demand, before any claim of it.
    const ahead = sizer.decide(open - 12_000);
    expect(ahead.history).toBeGreaterThanOrEqual(8);
    expect(ahead.recent).toBeLessThanOrEqual(2);
    expect(ahead.total).toBe(ahead.history);
  });

  it('has no history part on its first day: the reactive part alone', () => {
    const sizer = new PredictiveSizer(sizing);
    claims(sizer, monday + 7 * hour, monday + 7 * hour + 2 * minute, 40);
    const decision = sizer.decide(monday + 7 * hour + 2 * minute);
    expect(decision.history).toBe(0);
    expect(decision.recent).toBeGreaterThan(3);
    expect(decision.total).toBe(decision.recent);
  });

  it('on a holiday, the missing pre-market scales the expected open down', () => {
    const sizer = trained();
    const open = monday + 7 * hour;
    // A holiday: the night as usual, and the trickle goes on where the pre-market should be.
    const trickle: number[] = [];
    for (let t = monday; t < open; t += 5 * minute) trickle.push(t);
    replay(sizer, trickle, monday, open - 12_000);
    expect(sizer.evidenceScale()).toBeLessThan(0.3);
    const holiday = sizer.decide(open - 12_000).history;
    // A usual day at the same moment wants the whole open warm.
    const usual = trainedUntil(open - 12_000).decide(open - 12_000).history;
    expect(usual).toBeGreaterThanOrEqual(10);
    expect(holiday).toBeLessThanOrEqual(usual / 2);
    // Minutes into the open that does not come, the forecast is all but ignored.
    replay(sizer, trickle, open - 12_000, open + 5 * minute);
    expect(sizer.decide(open + 5 * minute).history).toBeLessThanOrEqual(3);
  });

  it('after an early close (a half day), the steady day stops being warmed within minutes', () => {
    const close = monday + 9 * hour; // three hours early
    const sizer = trainedUntil(close);
    expect(sizer.decide(close).history).toBeGreaterThanOrEqual(3);
    let t = close;
    for (; t < close + 2 * hour; t += 5000) {
      if ((t - close) % minute === 0) sizer.recordClaim(t); // 1/min
      if (sizer.decide(t).history <= 3) break;
    }
    expect(t - close).toBeLessThan(40 * minute);
  });

  it('an unscheduled spike is met by the reactive part', () => {
    const sizer = trained();
    const at = monday + 10 * hour;
    claims(sizer, at, at + 3 * minute, 30);
    const decision = sizer.decide(at + 3 * minute);
    expect(decision.recent).toBeGreaterThan(decision.history);
    expect(decision.total).toBe(decision.recent);
  });

  it('never goes above the maximum nor below the minimum', () => {
    const small = new PredictiveSizer({ ...sizing, minWarm: 2, maxWarm: 5 });
    for (let back = 4; back >= 1; back--) usualDay(small, monday - back * dayMs);
    const open = monday + 7 * hour;
    replay(small, timesOf(usualDay, monday), monday, open + minute);
    expect(small.decide(open + minute).total).toBe(5);
    expect(small.decide(open + minute).history).toBe(5);
    expect(small.decide(monday + 20 * hour).total).toBe(2);
  });

  it('disabled: a fixed pool of minWarm', () => {
    const fixed = new PredictiveSizer({ ...sizing, enabled: false, minWarm: 3 });
    usualDay(fixed, monday - dayMs);
    expect(fixed.decide(monday + 7 * hour)).toEqual({ history: 0, recent: 3, total: 3 });
  });

  it('uses the defaults it documents', () => {
    expect(defaultPredictiveOptions).toMatchObject({ bucketMs: 5 * minute, keepDays: 28 });
  });
});

/** Claim times of `day` (a usual day: usualDay's shape) in [from, to). */
function timesOf(
  shape: (r: { recordClaim(t: number): void }, start: number) => void,
  start: number,
) {
  const times: number[] = [];
  shape({ recordClaim: (t) => times.push(t) }, start);
  return times.sort((a, b) => a - b);
}

/** Replays claims up to `until` with a resize pass (decide) every 5 s, as the pool core does. */
function replay(sizer: PredictiveSizer, times: number[], from: number, until: number): void {
  let next = times.findIndex((time) => time >= from);
  if (next < 0) next = times.length;
  for (let t = from; t < until; t += 5000) {
    while (next < times.length && times[next]! < Math.min(t + 5000, until)) {
      sizer.recordClaim(times[next]!);
      next++;
    }
    sizer.decide(Math.min(t + 5000, until));
  }
}

/** A trained sizer that has seen a usual Monday up to `until`. */
function trainedUntil(until: number): PredictiveSizer {
  const sizer = trained();
  replay(sizer, timesOf(usualDay, monday), monday, until);
  return sizer;
}

describe('PredictiveSizer, surplus blend', () => {
  it('sizes once for the larger of the forecast and the recent rate', () => {
    const sizer = new PredictiveSizer(sizing, { ...defaultPredictiveOptions, blend: 'surplus' });
    for (let back = 4; back >= 1; back--) usualDay(sizer, monday - back * dayMs);
    const at = monday + 10 * hour;
    replay(sizer, timesOf(usualDay, monday), monday, at);
    const quiet = sizer.decide(at);
    claims(sizer, at, at + 3 * minute, 30);
    const spike = sizer.decide(at + 3 * minute);
    expect(spike.total).toBeGreaterThan(quiet.total);
    expect(spike.total).toBeGreaterThanOrEqual(spike.history);
  });
});

describe('PredictiveSizer, quiet-day price', () => {
  /** A holiday: 0.5 claims a minute all day where history expects a trading day. */
  function holidayAt(options: Partial<typeof defaultPredictiveOptions>, at: number) {
    const sizer = new PredictiveSizer(sizing, { ...defaultPredictiveOptions, ...options });
    for (let back = 4; back >= 1; back--) usualDay(sizer, monday - back * dayMs);
    const trickle: number[] = [];
    for (let t = monday; t < at; t += 2 * minute) trickle.push(t);
    replay(sizer, trickle, monday, at);
    return sizer.decide(at);
  }

  it('keeps a second container on a day far below the usual traffic', () => {
    const noon = monday + 10 * hour;
    // 0.5/min: the second container saves ~2 cold starts an hour, too few at the usual price
    // of 25, but on a day with a tenth of the usual claims each of them weighs ten times more.
    expect(holidayAt({}, noon).history).toBe(2);
    expect(holidayAt({ quietDayBelow: 1e-9 }, noon).history).toBeLessThanOrEqual(1);
  });
});
