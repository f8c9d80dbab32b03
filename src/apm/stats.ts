/**
 * Per-operation statistics: count, errors, sum/min/max and a DDSketch for percentiles.
 * Lookup is one Map.get per span (a Map per span kind, keyed by span name); everything
 * else — naming, the cardinality cap — happens once per new name. Past maxOperations,
 * spans count under an `other` operation of their kind and `overflowed` counts them.
 */
import type { SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { createSketch, quantile, roundMs, type Sketch } from './sketch';
import { mergeSketchWire, sketchToWire, type SketchWire } from './sketch-wire';
import { kindName, operationName } from './naming';

export const OTHER = 'other';
const KINDS = 5;

export interface OperationWire {
  readonly operation: string;
  readonly kind: string;
  readonly overflow: boolean;
  readonly count: number;
  readonly errors: number;
  readonly sum_ms: number;
  readonly min_ms: number | null;
  readonly max_ms: number;
  readonly sketch: SketchWire;
}

export interface ApmWire {
  readonly since: number;
  readonly overflowed: number;
  readonly operations: readonly OperationWire[];
}

export class OperationStats {
  count = 0;
  errors = 0;
  sumMs = 0;
  minMs = Infinity;
  maxMs = 0;
  readonly sketch: Sketch = createSketch();
  /** Metric attributes, built once. */
  readonly attributes: Readonly<{ operation: string; kind: string }>;

  constructor(readonly operation: string, readonly kind: string, readonly overflow: boolean) {
    this.attributes = Object.freeze({ operation, kind });
  }

  record(ms: number, error: boolean): void {
    this.count++;
    if (error) this.errors++;
    this.sumMs += ms;
    if (ms < this.minMs) this.minMs = ms;
    if (ms > this.maxMs) this.maxMs = ms;
    this.sketch.accept(ms);
  }

  quantile(q: number): number {
    return quantile(this.sketch, q, this.minMs, this.maxMs);
  }

  /** These statistics as sent between the processes of a service (src/cluster). */
  toWire(): OperationWire {
    return { operation: this.operation, kind: this.kind, overflow: this.overflow, count: this.count, errors: this.errors, sum_ms: this.sumMs, min_ms: Number.isFinite(this.minMs) ? this.minMs : null, max_ms: this.maxMs, sketch: sketchToWire(this.sketch) };
  }

  /** Adds another process's statistics of the same operation. */
  absorb(w: OperationWire): void {
    this.count += w.count;
    this.errors += w.errors;
    this.sumMs += w.sum_ms;
    if (w.min_ms !== null && w.min_ms < this.minMs) this.minMs = w.min_ms;
    if (w.max_ms > this.maxMs) this.maxMs = w.max_ms;
    mergeSketchWire(this.sketch, w.sketch);
  }

  toJson(): object {
    const n = this.count;
    return {
      operation: this.operation,
      kind: this.kind,
      count: n,
      error_count: this.errors,
      error_rate: n === 0 ? 0 : this.errors / n,
      avg_ms: n === 0 ? 0 : roundMs(this.sumMs / n),
      min_ms: n === 0 ? 0 : roundMs(this.minMs),
      max_ms: roundMs(this.maxMs),
      p50_ms: roundMs(this.quantile(0.5)),
      p95_ms: roundMs(this.quantile(0.95)),
      p99_ms: roundMs(this.quantile(0.99)),
    };
  }
}

export class ApmStats {
  /** Per span kind: span name → stats (several names may share one operation). */
  byName: Map<string, OperationStats>[] = [];
  /** Per span kind: operation → stats. */
  private byOperation: Map<string, OperationStats>[] = [];
  /** Per span kind: the overflow bucket, once needed. */
  private others: (OperationStats | undefined)[] = [];
  private tracked = 0;
  private names = 0;
  overflowed = 0;
  since = Date.now();
  private warned = false;

  constructor(private readonly maxOperations: number, private readonly onFirstOverflow?: (max: number) => void) {
    this.reset();
  }

  /** Slow path: the first span of a name (or any span past the cap). */
  resolve(span: ReadableSpan): OperationStats {
    const kind: SpanKind = span.kind >= 0 && span.kind < KINDS ? span.kind : 0;
    const operation = operationName(span);
    const operations = this.byOperation[kind];
    let stats = operations.get(operation);
    if (stats === undefined) {
      if (this.tracked < this.maxOperations) {
        stats = new OperationStats(operation, kindName(kind), false);
        operations.set(operation, stats);
        this.tracked++;
      } else {
        stats = this.others[kind] ??= new OperationStats(OTHER, kindName(kind), true);
        if (!this.warned) {
          this.warned = true;
          this.onFirstOverflow?.(this.maxOperations);
        }
      }
    }
    // Remember the name → stats link, within a bound (names can outnumber operations).
    if (this.names < this.maxOperations * 4) {
      this.byName[kind].set(span.name, stats);
      this.names++;
    }
    return stats;
  }

  all(): OperationStats[] {
    const out = this.byOperation.flatMap((m) => [...m.values()]);
    for (const o of this.others) if (o !== undefined) out.push(o);
    return out;
  }

  reset(): void {
    this.byName = Array.from({ length: KINDS }, () => new Map());
    this.byOperation = Array.from({ length: KINDS }, () => new Map());
    this.others = [];
    this.tracked = 0;
    this.names = 0;
    this.overflowed = 0;
    this.since = Date.now();
  }

  /** The statistics as sent between the processes of a service (src/cluster). */
  toWire(): ApmWire {
    return { since: this.since, overflowed: this.overflowed, operations: this.all().filter((op) => op.count > 0).map((op) => op.toWire()) };
  }

  /** Several processes' statistics as one, bounded by maxOperations like any ApmStats. */
  static merged(maxOperations: number, wires: readonly ApmWire[]): ApmStats {
    const out = new ApmStats(maxOperations);
    for (const w of wires) {
      out.since = Math.min(out.since, w.since);
      out.overflowed += w.overflowed;
      for (const op of w.operations) out.absorbOperation(op);
    }
    return out;
  }

  private absorbOperation(w: OperationWire): void {
    let kind = 0;
    while (kind < KINDS && kindName(kind) !== w.kind) kind++;
    if (kind === KINDS) kind = 0;
    const operations = this.byOperation[kind];
    let stats = w.overflow ? undefined : operations.get(w.operation);
    if (stats === undefined && !w.overflow && this.tracked < this.maxOperations) {
      stats = new OperationStats(w.operation, kindName(kind), false);
      operations.set(w.operation, stats);
      this.tracked++;
    }
    stats ??= this.others[kind] ??= new OperationStats(OTHER, kindName(kind), true);
    stats.absorb(w);
  }
}
