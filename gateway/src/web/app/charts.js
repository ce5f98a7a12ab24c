// Charts with TradingView's lightweight-charts: candles with volume and indicator overlays
// (oscillators in their own pane), and line charts (backtest equity).
import {
  CandlestickSeries,
  ColorType,
  HistogramSeries,
  LineSeries,
  createChart,
} from 'lightweight-charts';

const palette = ['#1f6feb', '#b35900', '#7d3cbd', '#0a7d5a', '#c2185b', '#5d6b00'];
/** Indicators drawn in a pane of their own (their scale is not the price's). */
const oscillators = new Set(['rsi', 'macd', 'stoch', 'atr', 'obv']);

const base = {
  autoSize: true,
  layout: {
    background: { type: ColorType.Solid, color: '#ffffff' },
    textColor: '#1c2128',
    attributionLogo: false,
  },
  grid: { vertLines: { color: '#eef1f4' }, horzLines: { color: '#eef1f4' } },
  timeScale: { timeVisible: true, secondsVisible: false },
};

const seconds = (ms) => Math.floor(ms / 1000);

/** Candles (time in ms) with volume, in `container`; returns the chart. */
export function drawCandles(container, candles, overlays = []) {
  container.replaceChildren();
  const chart = createChart(container, base);
  const price = chart.addSeries(CandlestickSeries, {
    upColor: '#0a7d5a',
    downColor: '#c62828',
    borderVisible: false,
    wickUpColor: '#0a7d5a',
    wickDownColor: '#c62828',
  });
  price.setData(
    candles.map((c) => ({
      time: seconds(c.time),
      open: c.open,
      high: c.high,
      low: c.low,
      close: c.close,
    })),
  );
  const volume = chart.addSeries(HistogramSeries, {
    priceFormat: { type: 'volume' },
    priceScaleId: 'volume',
    lastValueVisible: false,
    priceLineVisible: false,
  });
  volume.priceScale().applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
  volume.setData(
    candles.map((c) => ({
      time: seconds(c.time),
      value: c.volume,
      color: c.close >= c.open ? 'rgba(10,125,90,0.35)' : 'rgba(198,40,40,0.35)',
    })),
  );
  let colour = 0;
  for (const overlay of overlays) {
    const pane = oscillators.has(overlay.indicator) ? 1 : 0;
    for (const [output, values] of Object.entries(overlay.outputs)) {
      const line = chart.addSeries(
        LineSeries,
        {
          color: palette[colour++ % palette.length],
          lineWidth: 2,
          title: `${overlay.id}${output === 'value' ? '' : `.${output}`}`,
          priceLineVisible: false,
          lastValueVisible: false,
        },
        pane,
      );
      line.setData(
        values.flatMap((value, i) =>
          value === null || candles[i] === undefined
            ? []
            : [{ time: seconds(candles[i].time), value }],
        ),
      );
    }
  }
  chart.timeScale().fitContent();
  return chart;
}

/** A line of values, one per candle time (ms), e.g. a backtest's equity curve. */
export function drawLine(container, times, values, title) {
  container.replaceChildren();
  const chart = createChart(container, base);
  const line = chart.addSeries(LineSeries, { color: palette[0], lineWidth: 2, title });
  line.setData(
    values.flatMap((value, i) =>
      times[i] === undefined ? [] : [{ time: seconds(times[i]), value }],
    ),
  );
  chart.timeScale().fitContent();
  return chart;
}
