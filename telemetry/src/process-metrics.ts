// Process metrics with @opentelemetry/api only (the SDK decides where they go): resident
// memory, heap, event-loop delay and GC pauses, named after OpenTelemetry's semantic
// conventions for Node.js runtimes. Returns a function that stops the collectors.
import { constants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { metrics, type BatchObservableCallback } from '@opentelemetry/api';

const gcKinds: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

export function recordProcessMetrics(): () => void {
  const meter = metrics.getMeter('warmgate-process');
  const rss = meter.createObservableGauge('process.memory.usage', {
    description: 'Resident set size',
    unit: 'By',
  });
  const heap = meter.createObservableGauge('v8js.memory.heap.used', {
    description: 'V8 heap in use',
    unit: 'By',
  });
  const delay = monitorEventLoopDelay({ resolution: 20 });
  delay.enable();
  const lag = meter.createObservableGauge('nodejs.eventloop.delay.p99', {
    description: 'Event-loop delay, 99th percentile since the last collection',
    unit: 's',
  });
  const observe: BatchObservableCallback = (result) => {
    const memory = process.memoryUsage();
    result.observe(rss, memory.rss);
    result.observe(heap, memory.heapUsed);
    result.observe(lag, delay.percentile(99) / 1e9);
    delay.reset();
  };
  meter.addBatchObservableCallback(observe, [rss, heap, lag]);
  const gc = meter.createHistogram('v8js.gc.duration', {
    description: 'Garbage-collection pauses',
    unit: 's',
    advice: { explicitBucketBoundaries: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1] },
  });
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as { detail?: { kind?: number } }).detail?.kind ?? -1;
      gc.record(entry.duration / 1000, { 'v8js.gc.type': gcKinds[kind] ?? 'other' });
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return () => {
    observer.disconnect();
    delay.disable();
    meter.removeBatchObservableCallback(observe, [rss, heap, lag]);
  };
}
