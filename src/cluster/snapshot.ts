/**
 * What one process contributes to the service's answer, taken on request: its metrics
 * (as its Prometheus reader collects them), APM statistics, slow-query records and shape
 * statistics, N+1 detections and its process figures. Each part is taken only when asked.
 */
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ApmStats, ApmWire } from '../apm/stats';
import { APM_SCOPE } from '../apm/metrics';
import type { SlowQueryStore, SlowWire } from '../db/slow-queries';
import type { Detection, NPlusOneDetector } from '../db/n-plus-one';
import type { ErrorJson, ErrorStore } from '../errors/store';
import type { ParsedRequest, Reply } from '../server/router';
import { metricsToWire, type WireScope } from './metrics-wire';

export type Part = 'metrics' | 'apm' | 'slow_records' | 'slow_shapes' | 'n_plus_one' | 'errors' | 'process';
export const PARTS: ReadonlySet<string> = new Set<Part>(['metrics', 'apm', 'slow_records', 'slow_shapes', 'n_plus_one', 'errors', 'process']);
/** Parts that DELETE endpoints clear. */
export type Clearable = 'apm' | 'slow' | 'n_plus_one' | 'errors';

export interface Identity {
  readonly pid: number;
  readonly instance_id: string;
}

export interface Snapshot {
  metrics?: readonly WireScope[];
  apm?: ApmWire;
  slow_records?: SlowWire;
  slow_shapes?: SlowWire;
  n_plus_one?: readonly Detection[];
  errors?: readonly ErrorJson[];
  process?: Readonly<Record<string, unknown>>;
}

export interface SnapshotRequest {
  readonly parts: readonly Part[];
  /** Slow-query records wanted (newest first). */
  readonly records?: number;
}

/** What a process of the service has to offer, wired from its features (src/cluster/index.ts). */
export interface LocalSources {
  readonly identity: Identity;
  collect(): Promise<{ readonly resourceMetrics: ResourceMetrics }>;
  readonly apm: ApmStats;
  readonly slow: SlowQueryStore;
  readonly nPlusOne: NPlusOneDetector;
  readonly errors: ErrorStore;
  processFigures(): Promise<Record<string, unknown>>;
  clear(part: Clearable): void;
  /** The process's own (not aggregated) answer to an admin request. */
  dispatch(req: Omit<ParsedRequest, 'params'>): Promise<Reply>;
}

const SKIP = new Set([APM_SCOPE]);

export async function takeSnapshot(src: LocalSources, req: SnapshotRequest): Promise<Snapshot> {
  const out: Snapshot = {};
  for (const part of req.parts) {
    switch (part) {
      case 'metrics':
        // APM metrics are rebuilt from the merged statistics (their percentiles do not add up).
        out.metrics = metricsToWire((await src.collect()).resourceMetrics, SKIP);
        break;
      case 'apm':
        out.apm = src.apm.toWire();
        break;
      case 'slow_records':
        out.slow_records = src.slow.toWire(Math.max(0, Math.min(req.records ?? 50, 100_000)), false);
        break;
      case 'slow_shapes':
        out.slow_shapes = src.slow.toWire(0, true);
        break;
      case 'n_plus_one':
        out.n_plus_one = src.nPlusOne.list();
        break;
      case 'errors':
        out.errors = src.errors.list(src.errors.capacity);
        break;
      case 'process':
        out.process = await src.processFigures();
        break;
    }
  }
  return out;
}

/** Parses the parts of a request that came over the channel; unknown names are ignored. */
export function parseSnapshotRequest(args: Readonly<Record<string, unknown>>): SnapshotRequest {
  const parts = Array.isArray(args.parts) ? (args.parts.filter((p) => typeof p === 'string' && PARTS.has(p)) as Part[]) : [];
  return { parts, records: typeof args.records === 'number' ? args.records : undefined };
}
