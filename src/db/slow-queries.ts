/**
 * Slow-query records (a bounded ring, newest first) and per-fingerprint statistics of the
 * slow queries (bounded: past MAX_FINGERPRINTS they are counted under "other").
 * Records hold the normalised statement only — never a parameter value.
 */
import { Ring } from './ring';
import { Durations, roundMs, type DurationsWire } from '../apm/sketch';

export interface SlowQueryInput {
  readonly time: number;
  readonly durationMs: number;
  readonly statement: string;
  readonly fingerprint: string;
  readonly dbSystem: string | null;
  readonly dbName: string | null;
  readonly operation: string;
  readonly traceId: string | null;
  readonly spanId: string | null;
  readonly requestId: string | null;
  readonly error?: string;
}

export interface SlowQueryJson {
  timestamp: string;
  duration_ms: number;
  statement: string;
  fingerprint: string;
  db_system: string | null;
  db_name: string | null;
  operation: string;
  trace_id: string | null;
  span_id: string | null;
  request_id: string | null;
  error?: string;
}

/** One statement shape's statistics as sent between the processes of a service (src/cluster). */
export interface ShapeWire {
  readonly fingerprint: string;
  readonly statement: string;
  readonly last_time: number;
  readonly last_request_id: string | null;
  readonly last_trace_id: string | null;
  readonly durations: DurationsWire;
}

export interface SlowWire {
  readonly total: number;
  /** Newest first. */
  readonly records: readonly SlowQueryInput[];
  readonly shapes: readonly ShapeWire[];
}

export const MAX_FINGERPRINTS = 500;
export const OTHER_FINGERPRINT = 'other';

class FingerprintStats {
  readonly durations = new Durations();
  /** The latest record of the shape: when, and its request and trace. */
  lastTime = 0;
  lastRequestId: string | null = null;
  lastTraceId: string | null = null;
  constructor(readonly fingerprint: string, readonly statement: string) {}

  add(q: SlowQueryInput): void {
    this.lastTime = q.time;
    this.lastRequestId = q.requestId;
    this.lastTraceId = q.traceId;
    this.durations.add(q.durationMs);
  }

  toWire(): ShapeWire {
    return {
      fingerprint: this.fingerprint, statement: this.statement,
      last_time: this.lastTime, last_request_id: this.lastRequestId, last_trace_id: this.lastTraceId,
      durations: this.durations.toWire(),
    };
  }

  absorb(w: ShapeWire): void {
    if (w.last_time >= this.lastTime) {
      this.lastTime = w.last_time;
      this.lastRequestId = w.last_request_id;
      this.lastTraceId = w.last_trace_id;
    }
    this.durations.absorb(w.durations);
  }
}

export class SlowQueryStore {
  private readonly ring: Ring<SlowQueryInput>;
  private readonly byFingerprint = new Map<string, FingerprintStats>();
  private total = 0;
  private changes = 0;

  constructor(limit: number, private readonly maxFingerprints = MAX_FINGERPRINTS) {
    this.ring = new Ring(limit);
  }

  record(q: SlowQueryInput): void {
    this.total++;
    this.changes++;
    this.ring.push(q);
    this.shape(q.fingerprint, q.statement).add(q);
  }

  private shape(fingerprint: string, statement: string): FingerprintStats {
    let stats = this.byFingerprint.get(fingerprint);
    if (stats === undefined) {
      if (this.byFingerprint.size < this.maxFingerprints) {
        stats = new FingerprintStats(fingerprint, statement);
        this.byFingerprint.set(fingerprint, stats);
      } else {
        stats = this.byFingerprint.get(OTHER_FINGERPRINT);
        if (stats === undefined) {
          stats = new FingerprintStats(OTHER_FINGERPRINT, '(other statements: fingerprint limit reached)');
          this.byFingerprint.set(OTHER_FINGERPRINT, stats);
        }
      }
    }
    return stats;
  }

  /** The newest `records` records and (with `shapes`) the per-shape statistics, as sent between processes. */
  toWire(records: number, shapes: boolean): SlowWire {
    return { total: this.total, records: this.ring.newest(records), shapes: shapes ? [...this.byFingerprint.values()].map((s) => s.toWire()) : [] };
  }

  /** Several processes' records (newest kept, newest first) and shape statistics as one store. */
  static merged(limit: number, wires: readonly SlowWire[]): SlowQueryStore {
    const out = new SlowQueryStore(limit);
    const records = wires.flatMap((w) => w.records).sort((a, b) => a.time - b.time);
    for (const q of records.slice(-limit)) out.ring.push(q);
    for (const w of wires) {
      out.total += w.total;
      for (const shape of w.shapes) out.shape(shape.fingerprint, shape.statement).absorb(shape);
    }
    return out;
  }

  list(limit: number): SlowQueryJson[] {
    return this.ring.newest(limit).map(toJson);
  }

  stats(): { total: number; by_fingerprint: object[] } {
    const rows = [...this.byFingerprint.values()].sort((a, b) => b.durations.sumMs - a.durations.sumMs);
    return {
      total: this.total,
      by_fingerprint: rows.map(({ fingerprint, statement, durations: d, lastTime, lastRequestId, lastTraceId }) => ({
        fingerprint,
        statement,
        count: d.count,
        avg_ms: roundMs(d.avgMs),
        max_ms: roundMs(d.maxMs),
        p95_ms: roundMs(d.quantile(0.95)),
        last_seen: new Date(lastTime).toISOString(),
        request_id: lastRequestId,
        trace_id: lastTraceId,
      })),
    };
  }

  /** Records kept. */
  get size(): number {
    return this.ring.size;
  }

  /** Changes with every record and clear: what was served at one version is still true. */
  get version(): number {
    return this.changes;
  }

  get fingerprints(): number {
    return this.byFingerprint.size;
  }

  clear(): void {
    this.ring.clear();
    this.byFingerprint.clear();
    this.total = 0;
    this.changes++;
  }
}

function toJson(q: SlowQueryInput): SlowQueryJson {
  const out: SlowQueryJson = {
    timestamp: new Date(q.time).toISOString(),
    duration_ms: roundMs(q.durationMs),
    statement: q.statement,
    fingerprint: q.fingerprint,
    db_system: q.dbSystem,
    db_name: q.dbName,
    operation: q.operation,
    trace_id: q.traceId,
    span_id: q.spanId,
    request_id: q.requestId,
  };
  if (q.error !== undefined) out.error = q.error;
  return out;
}
