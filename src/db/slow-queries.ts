/**
 * Slow-query records (a bounded ring, newest first) and per-fingerprint statistics of the
 * slow queries (bounded: past MAX_FINGERPRINTS they are counted under "other").
 * Records hold the normalised statement only — never a parameter value.
 */
import { Ring } from './ring';
import { Durations, roundMs } from '../apm/sketch';

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
    let stats = this.byFingerprint.get(q.fingerprint);
    if (stats === undefined) {
      if (this.byFingerprint.size < this.maxFingerprints) {
        stats = new FingerprintStats(q.fingerprint, q.statement);
        this.byFingerprint.set(q.fingerprint, stats);
      } else {
        stats = this.byFingerprint.get(OTHER_FINGERPRINT);
        if (stats === undefined) {
          stats = new FingerprintStats(OTHER_FINGERPRINT, '(other statements: fingerprint limit reached)');
          this.byFingerprint.set(OTHER_FINGERPRINT, stats);
        }
      }
    }
    stats.add(q);
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
