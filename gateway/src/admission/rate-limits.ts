// One token bucket per key (a principal), bounded: past `maxKeys` the buckets that have
// refilled are forgotten, and if none has, the oldest goes (a forgotten key starts full,
// which errs towards serving, never towards a memory leak).
import { TokenBucket } from './token-bucket.js';

export interface RateSpec {
  readonly perSecond: number;
  readonly burst: number;
}

export class KeyedRateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly spec: RateSpec,
    private readonly maxKeys = 100_000,
  ) {}

  /** 0 when granted, else the ms until the key may try again. */
  take(key: string, now: number): number {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= this.maxKeys) this.prune(now);
      bucket = new TokenBucket(this.spec.burst, this.spec.perSecond, now);
      this.buckets.set(key, bucket);
    }
    return bucket.take(now);
  }

  get size(): number {
    return this.buckets.size;
  }

  private prune(now: number): void {
    for (const [key, bucket] of this.buckets) if (bucket.full(now)) this.buckets.delete(key);
    if (this.buckets.size >= this.maxKeys) {
      this.buckets.delete(this.buckets.keys().next().value as string);
    }
  }
}
