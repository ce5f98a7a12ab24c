import { describe, expect, it } from 'vitest';
import { growthMiBPerMin, type MemorySample } from './memory-sampler.js';
import { parsePrometheus, sumBy, sumOf } from './prometheus-text.js';
import { counters, delta, poolHitRate } from './stack-metrics.js';

const exposition = `# HELP warmgate_pool_claim_duration Acquire latency
# TYPE warmgate_pool_claim_duration histogram
warmgate_pool_claim_duration_bucket{profile="standard",source="warm",le="+Inf"} 6
warmgate_pool_claim_duration_count{profile="standard",source="warm"} 6
warmgate_pool_claim_duration_sum{profile="standard",source="warm"} 120.5
warmgate_pool_claim_duration_count{profile="standard",source="cold"} 2
warmgate_pool_cold_starts_total{profile="standard",reason="pool_empty"} 2
warmgate_gateway_tool_calls_total{route="platform",outcome="ok"} 40
warmgate_gateway_tool_calls_total{route="user",outcome="ok"} 2
warmgate_gateway_tool_calls_total{route="user",outcome="UNAVAILABLE"} 1
warmgate_pool_containers{profile="standard",state="warm"} 3
label_escapes{text="a \\"quoted\\" value"} 1
`;

describe('prometheus text', () => {
  const samples = parsePrometheus(exposition);

  it('reads samples with labels, skipping comments', () => {
    expect(samples).toHaveLength(10);
    expect(samples.at(-1)).toEqual({
      name: 'label_escapes',
      labels: { text: 'a "quoted" value' },
      value: 1,
    });
  });

  it('sums by name, suffix and labels', () => {
    expect(sumOf(samples, 'warmgate_pool_claim_duration', '_count')).toBe(8);
    expect(sumOf(samples, 'warmgate_pool_containers', '', { state: 'warm' })).toBe(3);
    expect(sumBy(samples, 'warmgate_gateway_tool_calls', '', 'outcome')).toEqual({
      ok: 42,
      UNAVAILABLE: 1,
    });
  });

  it('turns two scrapes into the counters of what happened between them', () => {
    const after = counters(samples);
    const before = counters(
      parsePrometheus(exposition.replace('source="warm"} 6', 'source="warm"} 1')),
    );
    const between = delta(before, after);
    expect(between.claims).toEqual({ warm: 5, cold: 0 });
    expect(poolHitRate(after.claims)).toBe(0.75);
    expect(poolHitRate({})).toBeUndefined();
  });
});

describe('memory growth', () => {
  it('is the least-squares slope in MiB per minute after the given time', () => {
    const samples: MemorySample[] = Array.from({ length: 10 }, (_, i) => ({
      t: i * 6000,
      stackMiB: 100 + i, // +1 MiB every 6 s = 10 MiB/min
      containersMiB: 0,
      containerProcesses: 0,
    }));
    expect(growthMiBPerMin(samples, 0)).toBe(10);
    expect(growthMiBPerMin(samples.slice(0, 2), 0)).toBe(0);
  });
});
