/** GET /api/metrics: DESIGN.md's JSON (snake_case, *_ms, *_bytes, *_percent 0–100). */
import type { Handler } from '../server/router';
import type { RequestStats } from './app-stats';
import type { Readings } from './sampler';

export interface MetricsJsonSources {
  readonly startedAt: number;
  readonly requests: () => Promise<RequestStats>;
  readonly readings: () => Readings;
}

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;
const pct = (v: number | null | undefined) => (v === null || v === undefined ? null : round(v, 2));

export function metricsJsonHandler(src: MetricsJsonSources): Handler {
  return async () => {
    const requests = await src.requests();
    const { system, process: proc } = src.readings();
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
        system: {
          cpu_percent: pct(system.cpuPercent),
          memory: system.memory && { total_bytes: system.memory.totalBytes, used_bytes: system.memory.usedBytes, percent: pct(system.memory.percent) },
          disk: system.disk && { path: system.disk.path, total_bytes: system.disk.totalBytes, used_bytes: system.disk.usedBytes, percent: pct(system.disk.percent) },
        },
        process: {
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
        },
      },
    };
  };
}
