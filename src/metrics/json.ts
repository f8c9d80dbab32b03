/**
 * GET /api/metrics: the JSON of docs/ENDPOINTS.md (snake_case, *_ms, *_bytes, *_percent
 * 0–100). A figure that cannot be given is null, and `unavailable` in its section says why.
 */
import type { Handler } from '../server/router';
import type { RequestStats } from './app-stats';
import type { Figure, Readings } from './sampler';

export interface MetricsJsonSources {
  readonly startedAt: number;
  readonly requests: () => Promise<RequestStats>;
  readonly readings: () => Promise<Readings>;
}

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;
const pct = (v: number | null | undefined) => (v === null || v === undefined ? null : round(v, 2));

/** The served fields of a section with the reading each comes from. */
type FieldFigures = Readonly<Record<string, Figure>>;
const SYSTEM_FIGURES: FieldFigures = { cpu_percent: 'cpu', memory: 'memory', disk: 'disk' };
const PROCESS_FIGURES: FieldFigures = { cpu_percent: 'processCpu', threads: 'threads', open_fds: 'openFds', event_loop_delay_p99_ms: 'eventLoopDelay' };

/** The section, plus `unavailable: {field: reason}` when any of its figures is null. */
export function withReasons<T extends Record<string, unknown>>(section: T, figures: FieldFigures, reasons: Readings['reasons']): T {
  const unavailable: Record<string, string> = {};
  for (const [field, figure] of Object.entries(figures)) {
    if (section[field] === null) unavailable[field] = reasons[figure] ?? 'not available';
  }
  return Object.keys(unavailable).length === 0 ? section : { ...section, unavailable };
}

export function metricsJsonHandler(src: MetricsJsonSources): Handler {
  return async () => {
    const [requests, readings] = await Promise.all([src.requests(), src.readings()]);
    const { system, process: proc, reasons } = readings;
    return {
      status: 200,
      body: {
        application: {
          uptime_seconds: round((Date.now() - src.startedAt) / 1000, 2),
          requests_total: requests.requestsTotal,
          requests_by_status: requests.byStatus,
          avg_response_time_ms: round(requests.avgResponseTimeMs, 3),
          error_rate: round(requests.errorRate, 4),
        },
        system: withReasons({
          cpu_percent: pct(system.cpuPercent),
          memory: system.memory && { total_bytes: system.memory.totalBytes, used_bytes: system.memory.usedBytes, percent: pct(system.memory.percent) },
          disk: system.disk && { path: system.disk.path, total_bytes: system.disk.totalBytes, used_bytes: system.disk.usedBytes, percent: pct(system.disk.percent) },
        }, SYSTEM_FIGURES, reasons),
        process: withReasons({
          pid: proc.pid,
          rss_bytes: proc.rssBytes,
          heap_used_bytes: proc.heapUsedBytes,
          cpu_percent: pct(proc.cpuPercent),
          threads: proc.threads,
          open_fds: proc.openFds,
          uptime_seconds: round(process.uptime(), 2),
          heap_limit_bytes: proc.heapLimitBytes,
          event_loop_delay_p99_ms: proc.eventLoopDelayP99Ms === null ? null : round(proc.eventLoopDelayP99Ms, 2),
          node_version: process.versions.node,
        }, PROCESS_FIGURES, reasons),
      },
    };
  };
}
