// Exponentially weighted averages over time, so old observations fade with a half-life
// instead of falling off a window edge.

/** A smoothed event rate (events per ms) with time constant `windowMs`. */
export class EwmaRate {
  private rate = 0;
  private last: number | undefined;

  constructor(private readonly windowMs: number) {}

  /** Records `count` events at `now`. */
  record(now: number, count = 1): void {
    this.decayTo(now);
    this.rate += count / this.windowMs;
  }

  /** Events per ms as of `now`. */
  perMs(now: number): number {
    this.decayTo(now);
    return this.rate;
  }

  private decayTo(now: number): void {
    if (this.last !== undefined && now > this.last) {
      this.rate *= Math.exp(-(now - this.last) / this.windowMs);
    }
    if (this.last === undefined || now > this.last) this.last = now;
  }
}

/** A smoothed value: each sample moves the average by `alpha` of the difference. */
export class EwmaValue {
  private current: number;

  constructor(
    initial: number,
    private readonly alpha: number,
  ) {
    this.current = initial;
  }

  record(sample: number): void {
    this.current += this.alpha * (sample - this.current);
  }

  get value(): number {
    return this.current;
  }
}
