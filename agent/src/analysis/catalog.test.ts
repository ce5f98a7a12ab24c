import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  computeIndicator,
  indicatorCatalog,
  IndicatorSpecSchema,
  StrategySchema,
} from './index.js';
import { INDICATOR_KINDS } from './indicator-spec.js';
import { flatCandles } from './fixtures.test-support.js';

describe('indicatorCatalog', () => {
  it('lists exactly the kinds the schema accepts', () => {
    expect(indicatorCatalog.map((e) => e.name)).toEqual([...INDICATOR_KINDS]);
  });

  it('its defaults and outputs agree with what computeIndicator returns', () => {
    const candles = flatCandles(
      Array.from({ length: 60 }, (_, i) => 100 + Math.sin(i)),
      new Array(60).fill(10),
    );
    for (const entry of indicatorCatalog) {
      if (entry.name === 'saved' || entry.name === 'math') continue;
      const params: Record<string, unknown> = { indicator: entry.name };
      for (const [key, p] of Object.entries(
        entry.params as Record<string, { default?: unknown }>,
      )) {
        if (key === 'source') continue;
        params[key] = p.default ?? (key === 'field' ? 'close' : 5);
      }
      const { outputs } = computeIndicator(IndicatorSpecSchema.parse(params), candles);
      expect(Object.keys(outputs), entry.name).toEqual(entry.outputs);
    }
  });

  it('the schemas convert to JSON Schema (for MCP tool input schemas)', () => {
    expect(() => z.toJSONSchema(IndicatorSpecSchema)).not.toThrow();
    expect(() => z.toJSONSchema(StrategySchema)).not.toThrow();
  });
});
