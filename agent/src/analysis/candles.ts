import { z } from 'zod';

/** One OHLC(V) bar. `time` is milliseconds since the Unix epoch. */
export interface Candle {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume?: number;
}

export const MAX_CANDLES = 10_000;

const price = (field: string) =>
  z.number({ error: (iss) => `${field} must be a finite number (got ${show(iss.input)})` });

export const CandleSchema = z
  .object({
    time: price('time'),
    open: price('open'),
    high: price('high'),
    low: price('low'),
    close: price('close'),
    volume: z
      .number({ error: (iss) => `volume must be a finite number ≥ 0 (got ${show(iss.input)})` })
      .min(0, { error: (iss) => `volume must be a finite number ≥ 0 (got ${show(iss.input)})` })
      .optional(),
  })
  .refine((c) => c.high >= c.low, {
    error: (iss) => {
      const c = iss.input as Candle;
      return `high must be ≥ low (got high ${c.high}, low ${c.low})`;
    },
  });

export const CandlesSchema = z
  .array(CandleSchema)
  .min(1, { error: 'candles must hold at least 1 candle' })
  .max(MAX_CANDLES, {
    error: (iss) =>
      `candles must hold at most ${MAX_CANDLES} candles (got ${(iss.input as unknown[]).length})`,
  })
  .superRefine((candles, ctx) => {
    // A series out of order would silently mislead every indicator, so refuse it.
    for (let i = 1; i < candles.length; i++) {
      if (!(candles[i].time > candles[i - 1].time)) {
        ctx.addIssue({
          code: 'custom',
          path: [i, 'time'],
          message: `candle times must be strictly increasing (candle ${i} has time ${candles[i].time}, candle ${i - 1} has ${candles[i - 1].time})`,
        });
        return;
      }
    }
  });

/** A short, bounded rendering of an offending input for error messages. */
export function show(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
