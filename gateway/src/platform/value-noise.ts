// Deterministic pseudo-random paths. A price path must be the same for every gateway replica,
// every restart and every timeframe (a 1h candle must agree with its sixty 1m candles), and be
// computable at any instant without replaying history. So the "random walk" is fractal value
// noise: at each of several scales, seeded random values on a grid, interpolated between grid
// points, summed. Same seed and instant, same number, always.

/** FNV-1a 32-bit hash of a string: the per-symbol seed. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** A uniform value in [-1, 1) from a seed and an integer grid point (a mixing hash). */
export function gridValue(seed: number, point: number): number {
  let x =
    (seed ^ Math.imul(point | 0, 0x9e3779b1) ^ Math.imul((point / 2 ** 32) | 0, 0x85ebca6b)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  x = (x ^ (x >>> 16)) >>> 0;
  return x / 2 ** 31 - 1;
}

export interface NoiseOctave {
  /** Grid spacing in minutes. */
  readonly scaleMinutes: number;
  /** Amplitude in log-price units. */
  readonly amplitude: number;
}

/** Default octaves: hourly wiggles to multi-month trends (log-price, so ±0.25 ≈ ±28 %). */
export const priceOctaves: readonly NoiseOctave[] = [
  { scaleMinutes: 3, amplitude: 0.0015 },
  { scaleMinutes: 45, amplitude: 0.006 },
  { scaleMinutes: 720, amplitude: 0.018 },
  { scaleMinutes: 10_080, amplitude: 0.06 },
  { scaleMinutes: 86_400, amplitude: 0.17 },
];

/** The noise value at `minute` (fractional minutes allowed). */
export function fractalNoise(seed: number, minute: number, octaves = priceOctaves): number {
  let sum = 0;
  for (let index = 0; index < octaves.length; index++) {
    const { scaleMinutes, amplitude } = octaves[index]!;
    const position = minute / scaleMinutes;
    const left = Math.floor(position);
    const t = position - left;
    const smooth = t * t * (3 - 2 * t);
    const octaveSeed = (seed + Math.imul(index + 1, 0x27d4eb2d)) >>> 0;
    const a = gridValue(octaveSeed, left);
    const b = gridValue(octaveSeed, left + 1);
    sum += amplitude * (a + (b - a) * smooth);
  }
  return sum;
}
