/**
 * Latency percentiles: DDSketch (@datadog/sketches-js), a mergeable quantile sketch with a
 * relative-error guarantee. Relative accuracy 0.01: a reported quantile is within 1 % of
 * the exact value at that rank. The store collapses its lowest bins past BIN_LIMIT, which
 * bounds memory per sketch (never reached for durations between 1 µs and days: about
 * 1,400 bins cover that range at 1 %), keeping the high percentiles exact to 1 %.
 */
import { LogCollapsingLowestDenseDDSketch } from '@datadog/sketches-js';

export const RELATIVE_ACCURACY = 0.01;
const BIN_LIMIT = 2048;

export type Sketch = LogCollapsingLowestDenseDDSketch;

export function createSketch(): Sketch {
  return new LogCollapsingLowestDenseDDSketch({ relativeAccuracy: RELATIVE_ACCURACY, binLimit: BIN_LIMIT });
}

/** The value at quantile q, clamped to the exact [min, max] seen; 0 when empty. */
export function quantile(sketch: Sketch, q: number, min: number, max: number): number {
  if (sketch.count === 0) return 0;
  const v = sketch.getValueAtQuantile(q);
  return v < min ? min : v > max ? max : v;
}

/** Milliseconds rounded to the microsecond for JSON. */
export function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
