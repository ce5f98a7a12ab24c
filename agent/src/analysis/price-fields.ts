import { z } from 'zod';
import { errors } from '@warmgate/proto';
import { show, type Candle } from './candles.js';

/** A series aligned to candles; `null` where there is no value (warm-up, division by zero, ...). */
export type Series = (number | null)[];

export const PRICE_FIELDS = [
  'open',
  'high',
  'low',
  'close',
  'hl2',
  'hlc3',
  'ohlc4',
  'volume',
] as const;
export type PriceField = (typeof PRICE_FIELDS)[number];

export const PriceFieldSchema = z.enum(PRICE_FIELDS, {
  error: (iss) =>
    `unknown price field ${show(iss.input)} (expected one of ${PRICE_FIELDS.join(', ')})`,
});

/** The values of one price field, one per candle. */
export function priceSeries(candles: readonly Candle[], field: PriceField): number[] {
  switch (field) {
    case 'open':
    case 'high':
    case 'low':
    case 'close':
      return candles.map((c) => c[field]);
    case 'hl2':
      return candles.map((c) => (c.high + c.low) / 2);
    case 'hlc3':
      return candles.map((c) => (c.high + c.low + c.close) / 3);
    case 'ohlc4':
      return candles.map((c) => (c.open + c.high + c.low + c.close) / 4);
    case 'volume':
      return volumes(candles, 'source "volume"');
  }
}

/** Candle volumes; refuses a series where any candle lacks one, naming who needed it. */
export function volumes(candles: readonly Candle[], who: string): number[] {
  return candles.map((c, i) => {
    if (c.volume === undefined) {
      throw errors.invalidArgument(`${who} needs volume on every candle (candle ${i} has none)`);
    }
    return c.volume;
  });
}
