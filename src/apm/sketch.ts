/**
 * Latency percentiles, nearest-rank: the q-percentile of n calls is the ⌈q·n⌉-th smallest
 * duration, so a reported p99 is never below every call of the slowest 1 %.
 *
 * While an operation has at most EXACT_LIMIT calls its durations are kept as they are and
 * the percentiles are exact. Past that, a DDSketch (@datadog/sketches-js, relative
 * accuracy 0.01), made then from the exact values, answers at the same rank, within 1 % of
 * the duration there; the exact values are then dropped, so memory per operation is
 * bounded either way, and a service whose operations stay under the limit never loads the
 * library. The sketch's
 * store collapses its lowest bins past BIN_LIMIT (never reached for durations between
 * 1 µs and days: about 1,400 bins cover that range at 1 %).
 */
import type { LogCollapsingLowestDenseDDSketch } from '@datadog/sketches-js';
import { mergeSketchWire, sketchToWire, type SketchWire } from './sketch-wire';

export const RELATIVE_ACCURACY = 0.01;
/** Calls per operation whose durations are kept exactly (800 bytes at most). */
export const EXACT_LIMIT = 100;
const BIN_LIMIT = 2048;

export type Sketch = LogCollapsingLowestDenseDDSketch;

let SketchClass: typeof LogCollapsingLowestDenseDDSketch | undefined;

/** A sketch; the library is loaded with the first, when an operation passes EXACT_LIMIT calls. */
export function createSketch(): Sketch {
  SketchClass ??= (require('@datadog/sketches-js') as typeof import('@datadog/sketches-js')).LogCollapsingLowestDenseDDSketch;
  return new SketchClass({ relativeAccuracy: RELATIVE_ACCURACY, binLimit: BIN_LIMIT });
}

function sketchOf(durations: readonly number[]): Sketch {
  const sketch = createSketch();
  for (const ms of durations) sketch.accept(ms);
  return sketch;
}

/** Durations as sent between the processes of a service (src/cluster). */
export interface DurationsWire {
  readonly count: number;
  readonly sum_ms: number;
  readonly min_ms: number | null;
  readonly max_ms: number;
  readonly sketch: SketchWire;
  /** The exact durations, while there are at most EXACT_LIMIT. */
  readonly exact?: readonly number[];
}

/** Durations of one operation: count, sum, min, max and nearest-rank percentiles. */
export class Durations {
  count = 0;
  sumMs = 0;
  minMs = Infinity;
  maxMs = 0;
  /** Every duration while count ≤ EXACT_LIMIT; undefined after. */
  private exact: number[] | undefined = [];
  /** `exact` sorted, built on the first read after a change. */
  private sorted: Float64Array | undefined;
  /** Made from `exact` when they are dropped; undefined while they are kept. */
  private sketch: Sketch | undefined;

  add(ms: number): void {
    this.count++;
    this.sumMs += ms;
    if (ms < this.minMs) this.minMs = ms;
    if (ms > this.maxMs) this.maxMs = ms;
    if (this.exact !== undefined && this.count <= EXACT_LIMIT) {
      this.exact.push(ms);
      this.sorted = undefined;
      return;
    }
    (this.sketch ?? this.dropExact()).accept(ms);
  }

  /** The sketch, made from the exact durations, which are dropped. */
  private dropExact(): Sketch {
    this.sketch ??= sketchOf(this.exact ?? []);
    this.exact = undefined;
    this.sorted = undefined;
    return this.sketch;
  }

  /** The nearest-rank q-percentile (0 < q ≤ 1), within [min, max]; 0 when empty. */
  quantile(q: number): number {
    const n = this.count;
    if (n === 0) return 0;
    const rank = Math.min(n, Math.max(1, Math.ceil(q * n))) - 1; // 0-based
    if (this.exact !== undefined) {
      this.sorted ??= Float64Array.from(this.exact).sort();
      return this.sorted[rank];
    }
    // getValueAtQuantile reads rank q'·(n−1) and returns the first bin whose running count
    // passes it; half a rank above `rank` lands on that rank's bin without rounding doubt.
    const v = (this.sketch ?? this.dropExact()).getValueAtQuantile(Math.min(1, (rank + 0.5) / (n - 1)));
    return v < this.minMs ? this.minMs : v > this.maxMs ? this.maxMs : v;
  }

  get avgMs(): number {
    return this.count === 0 ? 0 : this.sumMs / this.count;
  }

  toWire(): DurationsWire {
    const sketch = sketchToWire(this.sketch ?? sketchOf(this.exact ?? []));
    const wire = { count: this.count, sum_ms: this.sumMs, min_ms: Number.isFinite(this.minMs) ? this.minMs : null, max_ms: this.maxMs, sketch };
    return this.exact === undefined ? wire : { ...wire, exact: this.exact };
  }

  /** Adds another process's durations: exact while both sides are and their sum fits. */
  absorb(w: DurationsWire): void {
    const count = this.count + w.count;
    if (this.exact !== undefined && w.exact !== undefined && count <= EXACT_LIMIT) {
      this.exact = [...this.exact, ...w.exact];
      this.sorted = undefined;
    } else {
      mergeSketchWire(this.dropExact(), w.sketch);
    }
    this.count = count;
    this.sumMs += w.sum_ms;
    if (w.min_ms !== null && w.min_ms < this.minMs) this.minMs = w.min_ms;
    if (w.max_ms > this.maxMs) this.maxMs = w.max_ms;
  }
}

/** Milliseconds rounded to the microsecond for JSON. */
export function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
