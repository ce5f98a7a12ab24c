import { describe, expect, it } from 'vitest';
import { AdaptiveSizer } from './adaptive-sizer.js';

const options = {
  enabled: true,
  minWarm: 2,
  maxWarm: 20,
  margin: 0.5,
  windowMs: 60_000,
  initialCreateMs: 4000,
};

describe('AdaptiveSizer', () => {
  it('holds the minimum when nothing is claimed', () => {
    const sizer = new AdaptiveSizer(options);
    expect(sizer.target(0)).toBe(2);
    expect(sizer.target(3_600_000)).toBe(2);
  });

  it('follows claim rate × replenish time × (1 + margin), within max', () => {
    const sizer = new AdaptiveSizer(options);
    // One claim a second for five minutes: ~1/s × 4 s × 1.5 = 6 warm.
    for (let t = 0; t < 300_000; t += 1000) sizer.recordClaim(t);
    expect(sizer.target(300_000)).toBeGreaterThanOrEqual(5);
    expect(sizer.target(300_000)).toBeLessThanOrEqual(7);
    // Slower creates need more warm containers.
    for (let i = 0; i < 20; i++) sizer.recordCreate(8000);
    expect(sizer.target(300_000)).toBeGreaterThanOrEqual(10);
    // A huge burst is capped.
    for (let i = 0; i < 5000; i++) sizer.recordClaim(300_000);
    expect(sizer.target(300_000)).toBe(20);
  });

  it('reacts to a burst within seconds and decays back to the minimum', () => {
    const sizer = new AdaptiveSizer(options);
    for (let t = 0; t < 10_000; t += 250) sizer.recordClaim(t);
    expect(sizer.target(10_000)).toBeGreaterThan(6);
    expect(sizer.target(20 * 60_000)).toBe(2);
  });

  it('is a fixed pool when disabled', () => {
    const sizer = new AdaptiveSizer({ ...options, enabled: false });
    for (let t = 0; t < 10_000; t += 100) sizer.recordClaim(t);
    expect(sizer.target(10_000)).toBe(2);
  });
});
