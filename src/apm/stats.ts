/**
 * Per-operation statistics: count, errors, sum/min/max and nearest-rank percentiles.
 * Lookup is one Map.get per span (a Map per span kind, keyed by span name); everything
 * else — naming, the cardinality cap — happens once per new name. Past maxOperations,
 * spans count under an `other` operation of their kind and `overflowed` counts them.
 */
import type { SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { Durations, roundMs, type DurationsWire } from './sketch';
import { kindName, operationName } from './naming';

export const OTHER = 'other';
const KINDS = 5;

export interface OperationWire {
  readonly operation: string;
  readonly kind: string;
  readonly overflow: boolean;
  readonly errors: number;
  readonly durations: DurationsWire;
}

export interface ApmWire {
  readonly since: number;
  readonly overflowed: number;
  readonly operations: readonly OperationWire[];
}

export class OperationStats {
  errors = 0;
  readonly durations = new Durations();
  /** Metric attributes, built once. */
  readonly attributes: Readonly<{ operation: string; kind: string }>;

  constructor(readonly operation: string, readonly kind: string, readonly overflow: boolean) {
    this.attributes = Object.freeze({ operation, kind });
  }

  get count(): number {
    return this.durations.count;
  }

  get sumMs(): number {
    return this.durations.sumMs;
  }

  record(ms: number, error: boolean): void {
    if (error) this.errors++;
    this.durations.add(ms);
  }

  /** Nearest-rank percentile (see sketch.ts). */
  quantile(q: number): number {
    return this.durations.quantile(q);
  }

  /** These statistics as sent between the processes of a service (src/cluster). */
  toWire(): OperationWire {
    return { operation: this.operation, kind: this.kind, overflow: this.overflow, errors: this.errors, durations: this.durations.toWire() };
  }

  /** Adds another process's statistics of the same operation. */
  absorb(w: OperationWire): void {
    this.errors += w.errors;
    this.durations.absorb(w.durations);
  }

  toJson(): object {
    const d = this.durations;
    const n = d.count;
    return {
      operation: this.operation,
      kind: this.kind,
      count: n,
      error_count: this.errors,
      error_rate: n === 0 ? 0 : this.errors / n,
      avg_ms: roundMs(d.avgMs),
      min_ms: n === 0 ? 0 : roundMs(d.minMs),
      max_ms: roundMs(d.maxMs),
      p50_ms: roundMs(d.quantile(0.5)),
      p95_ms: roundMs(d.quantile(0.95)),
      p99_ms: roundMs(d.quantile(0.99)),
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
