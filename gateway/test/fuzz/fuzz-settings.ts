// Seeds, run counts and the case tally shared by the fuzz suites. Every suite is seeded and
// reproducible: it prints its seed, and a failure prints fast-check's counterexample and
// path. Longer runs: WARMGATE_FUZZ_RUNS=<cases per property> (default below); another seed:
// WARMGATE_FUZZ_SEED=<integer>.
import type { Parameters } from 'fast-check';

const defaultSeed = 20261124;

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new Error(`${name}: expected a whole number ≥ 1, got "${raw}"`);
  }
  return value;
}

export const fuzzSeed = intFromEnv('WARMGATE_FUZZ_SEED', defaultSeed);

/** Cases for one property: `base` by default, WARMGATE_FUZZ_RUNS when set. */
export function fuzzRuns(base: number): number {
  return intFromEnv('WARMGATE_FUZZ_RUNS', base);
}

/** A test timeout that grows with the run count (long runs must not hit the default 30 s). */
export function fuzzTimeoutMs(base: number): number {
  return Math.max(30_000, fuzzRuns(base) * 40);
}

/** fast-check parameters: the suite's seed and run count. */
export function fuzzParameters(base: number): Parameters<unknown> {
  return { seed: fuzzSeed, numRuns: fuzzRuns(base) };
}

/** Counts the cases a suite ran (one per property execution) and prints the total. */
export class CaseTally {
  private readonly counts = new Map<string, number>();
  private readonly bugs = new Map<string, number>();
  constructor(private readonly suite: string) {}

  count(property: string): void {
    this.counts.set(property, (this.counts.get(property) ?? 0) + 1);
  }

  /** A case that hit a known, reported bug (tolerated so the property keeps running). */
  knownBug(name: string): void {
    this.bugs.set(name, (this.bugs.get(name) ?? 0) + 1);
  }

  total(): number {
    return [...this.counts.values()].reduce((sum, n) => sum + n, 0);
  }

  print(): void {
    const parts = [...this.counts].map(([name, n]) => `${name}=${n}`).join(', ');
    const bugs = [...this.bugs].map(([name, n]) => `; known bug ${name} hit ${n} times`).join('');
    console.log(`fuzz ${this.suite}: ${this.total()} cases (seed ${fuzzSeed}; ${parts}${bugs})`);
  }
}
