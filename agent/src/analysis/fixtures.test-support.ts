import type { Candle } from './candles.js';

const DAY = 86_400_000;
const START = Date.UTC(2026, 0, 1);

/** Candles whose open/high/low/close all equal the given closes (one per day). */
export function flatCandles(closes: readonly number[], volume?: readonly number[]): Candle[] {
  return closes.map((close, i) => ({
    time: START + i * DAY,
    open: close,
    high: close,
    low: close,
    close,
    ...(volume === undefined ? {} : { volume: volume[i] }),
  }));
}

/** Candles from explicit [open, high, low, close] rows. */
export function ohlc(rows: readonly [number, number, number, number][]): Candle[] {
  return rows.map(([open, high, low, close], i) => ({
    time: START + i * DAY,
    open,
    high,
    low,
    close,
  }));
}

/** A sine wave around `mid`: period `length` bars, amplitude `amp`. */
export function sine(bars: number, length: number, mid = 100, amp = 10): Candle[] {
  return flatCandles(
    Array.from({ length: bars }, (_, i) => mid + amp * Math.sin((2 * Math.PI * i) / length)),
  );
}

/** The textbook 14-day RSI series (StockCharts "RSI" ChartSchool table). */
export const RSI_CLOSES = [
  44.34, 44.09, 44.15, 43.61, 44.33, 44.83, 45.1, 45.42, 45.84, 46.08, 45.89, 46.03, 45.61, 46.28,
  46.28, 46.0, 46.03, 46.41, 46.22, 45.64, 46.21, 46.25, 45.71, 46.45, 45.78, 45.35, 44.03, 44.18,
  44.22, 44.57, 43.42, 42.66, 43.13,
];
