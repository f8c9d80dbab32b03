/**
 * What a process that is gone leaves in the service's figures: its counters and histograms,
 * APM statistics, and its newest slow-query records and N+1 detections, folded into one
 * bounded `departed` snapshot.
 */
import { ApmStats } from '../apm/stats';
import { NPlusOneDetector } from '../db/n-plus-one';
import { SlowQueryStore } from '../db/slow-queries';
import { mergeErrors } from './errors-merge';
import { mergeMetrics } from './metrics-merge';
import { monotonicOnly } from './metrics-wire';
import type { Snapshot } from './snapshot';

export interface Limits {
  readonly apmMaxOperations: number;
  readonly slowQueryLimit: number;
  readonly nPlusOneMin: number;
}

/** `into` with `gone` added; `countersOnly` keeps metrics and APM statistics alone (a baseline). */
export function foldDeparted(into: Snapshot, gone: Snapshot, limits: Limits, countersOnly = false): Snapshot {
  const out: Snapshot = {};
  if (into.metrics || gone.metrics) {
    out.metrics = mergeMetrics([
      { scopes: into.metrics ?? [], live: false },
      { scopes: monotonicOnly(gone.metrics ?? []), live: false },
    ]);
  }
  const apm = [into.apm, gone.apm].filter((w) => w !== undefined);
  if (apm.length > 0) out.apm = ApmStats.merged(limits.apmMaxOperations, apm).toWire();
  if (countersOnly) return out;
  const records = [into.slow_records, gone.slow_records].filter((w) => w !== undefined);
  if (records.length > 0) out.slow_records = SlowQueryStore.merged(limits.slowQueryLimit, records).toWire(limits.slowQueryLimit, false);
  const shapes = [into.slow_shapes, gone.slow_shapes].filter((w) => w !== undefined);
  if (shapes.length > 0) out.slow_shapes = SlowQueryStore.merged(limits.slowQueryLimit, shapes).toWire(0, true);
  const detections = [into.n_plus_one, gone.n_plus_one].filter((w) => w !== undefined);
  if (detections.length > 0) out.n_plus_one = NPlusOneDetector.merged(limits.nPlusOneMin, detections).list();
  const errors = [into.errors, gone.errors].filter((w) => w !== undefined);
  if (errors.length > 0) out.errors = mergeErrors(errors);
  return out;
}
