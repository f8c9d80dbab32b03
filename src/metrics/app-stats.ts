/**
 * The application half of /api/metrics, read from the same data Prometheus scrapes: the
 * `http.server.request.duration` histogram of the `otelkit` meter, collected from the
 * Prometheus reader. Counts are summed by `http.response.status_code`; the average is
 * sum/count; error_rate is the share of 5xx answers (0–1). A collection is reused for
 * REUSE_MS and callers arriving while one is under way share it: a collection runs every
 * observable callback of the SDK (some, like the runtime-node event-loop histogram, reset
 * on collection), so a dashboard polling /api/metrics costs at most one per second.
 */
import { DataPointType, type MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';

export interface RequestStats {
  readonly requestsTotal: number;
  readonly byStatus: Readonly<Record<string, number>>;
  readonly avgResponseTimeMs: number;
  readonly errorRate: number;
}

const METRIC = 'http.server.request.duration';
export const REUSE_MS = 1000;

export function createRequestStats(reader: Pick<MetricReader, 'collect'>): () => Promise<RequestStats> {
  let inflight: Promise<RequestStats> | undefined;
  let last: { at: number; stats: RequestStats } | undefined;

  async function collect(): Promise<RequestStats> {
    const { resourceMetrics } = await reader.collect();
    return requestStatsOf(resourceMetrics);
  }

  return () => {
    if (last !== undefined && Date.now() - last.at < REUSE_MS) return Promise.resolve(last.stats);
    inflight ??= collect()
      .then((stats) => {
        last = { at: Date.now(), stats };
        return stats;
      })
      .finally(() => {
        inflight = undefined;
      });
    return inflight;
  };
}

/** The request figures of one collection (one process's, or a service's merged). */
export function requestStatsOf(resourceMetrics: Pick<ResourceMetrics, 'scopeMetrics'>): RequestStats {
  const byStatus: Record<string, number> = {};
  let count = 0;
  let sumSeconds = 0;
  let errors = 0;
  for (const scope of resourceMetrics.scopeMetrics) {
    if (scope.scope.name !== 'otelkit') continue;
    for (const metric of scope.metrics) {
      if (metric.descriptor.name !== METRIC || metric.dataPointType !== DataPointType.HISTOGRAM) continue;
      for (const point of metric.dataPoints) {
        const n = point.value.count;
        if (!n) continue;
        const status = String(point.attributes['http.response.status_code'] ?? 'unknown');
        byStatus[status] = (byStatus[status] ?? 0) + n;
        count += n;
        sumSeconds += point.value.sum ?? 0;
        if (Number(status) >= 500) errors += n;
      }
    }
  }
  return {
    requestsTotal: count,
    byStatus,
    avgResponseTimeMs: count > 0 ? (sumSeconds / count) * 1000 : 0,
    errorRate: count > 0 ? errors / count : 0,
  };
}
