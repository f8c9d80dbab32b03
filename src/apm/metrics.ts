/**
 * The APM statistics as OpenTelemetry metrics in their own meter scope, `otelkit.apm`
 * (so /api/performance/apm/metrics can render them alone). Observable instruments read
 * ApmStats at collection time: nothing is recorded twice per span.
 *
 *   otelkit.apm.calls       observable counter {operation, kind}   → otelkit_apm_calls_total
 *   otelkit.apm.errors      observable counter {operation, kind}   → otelkit_apm_errors_total
 *   otelkit.apm.time        observable counter, s                  → otelkit_apm_time_seconds_total
 *   otelkit.apm.latency     observable gauge, s, {…, quantile}     → otelkit_apm_latency_seconds
 *   otelkit.apm.overflowed  observable counter                     → otelkit_apm_overflowed_total
 */
import type { Attributes, BatchObservableCallback, Meter, Observable } from '@opentelemetry/api';
import type { ApmStats, OperationStats } from './stats';

export const APM_SCOPE = 'otelkit.apm';
const QUANTILES = [0.5, 0.95, 0.99] as const;
const quantileAttrs = new WeakMap<OperationStats, Attributes[]>();

function attrsFor(op: OperationStats): Attributes[] {
  let list = quantileAttrs.get(op);
  if (list === undefined) {
    list = QUANTILES.map((q) => Object.freeze({ ...op.attributes, quantile: String(q) }));
    quantileAttrs.set(op, list);
  }
  return list;
}

/** `stats` is read at each collection (a process's own, or a service's merged view). */
export function registerApmMetrics(meter: Meter, stats: Pick<ApmStats, 'all' | 'overflowed'>): () => void {
  const calls = meter.createObservableCounter('otelkit.apm.calls', { description: 'Finished spans per APM operation.', unit: '{call}' });
  const errors = meter.createObservableCounter('otelkit.apm.errors', { description: 'Spans with error status per APM operation.', unit: '{call}' });
  const time = meter.createObservableCounter('otelkit.apm.time', { description: 'Summed span duration per APM operation.', unit: 's' });
  const latency = meter.createObservableGauge('otelkit.apm.latency', {
    description: 'Span duration percentiles per APM operation since the last reset (nearest rank: exact up to 100 calls, then within 1 %).',
    unit: 's',
  });
  const overflowed = meter.createObservableCounter('otelkit.apm.overflowed', {
    description: 'Spans counted under "other" because OTELKIT_APM_MAX_OPERATIONS was reached.',
    unit: '{span}',
  });
  const observables: Observable[] = [calls, errors, time, latency, overflowed];
  const callback: BatchObservableCallback = (result) => {
    for (const op of stats.all()) {
      if (op.count === 0) continue;
      result.observe(calls, op.count, op.attributes);
      result.observe(errors, op.errors, op.attributes);
      result.observe(time, op.sumMs / 1000, op.attributes);
      const attrs = attrsFor(op);
      for (let i = 0; i < QUANTILES.length; i++) result.observe(latency, op.quantile(QUANTILES[i]) / 1000, attrs[i]);
    }
    result.observe(overflowed, stats.overflowed);
  };
  meter.addBatchObservableCallback(callback, observables);
  return () => meter.removeBatchObservableCallback(callback, observables);
}
