/**
 * Cumulative explicit-bucket histogram series, as the SDK's histogram aggregation keeps
 * them, for the histograms otelkit aggregates itself (http.server.request.duration and the
 * instrumentations' histograms, see summed-meter.ts) and hands to the metric readers
 * through the SDK's MetricProducer interface.
 */
import type { Attributes, HrTime } from '@opentelemetry/api';
import {
  AggregationTemporality, DataPointType,
  type HistogramMetricData, type MetricData, type MetricDescriptor, type MetricProducer,
} from '@opentelemetry/sdk-metrics';

/** One instrument among all scopes: its scope's name and version and its own name. */
export function instrumentKey(scope: { readonly name: string; readonly version?: string }, name: string): string {
  return `${scope.name}\u0000${scope.version ?? ''}\u0000${name}`;
}

export interface HistogramSeries {
  readonly attributes: Attributes;
  /** One per bucket: values ≤ boundaries[i], the last for values above every boundary. */
  readonly counts: number[];
  count: number;
  sum: number;
  min: number;
  max: number;
}

export function newSeries(attributes: Attributes, boundaries: readonly number[]): HistogramSeries {
  return { attributes, counts: new Array(boundaries.length + 1).fill(0), count: 0, sum: 0, min: Infinity, max: -Infinity };
}

export function recordValue(s: HistogramSeries, value: number, boundaries: readonly number[]): void {
  s.count++;
  s.sum += value;
  if (value < s.min) s.min = value;
  if (value > s.max) s.max = value;
  let i = 0;
  while (i < boundaries.length && value > boundaries[i]) i++;
  s.counts[i]++;
}

export function histogramData(
  descriptor: MetricDescriptor,
  boundaries: readonly number[],
  series: readonly HistogramSeries[],
  startTime: HrTime,
  endTime: HrTime,
): HistogramMetricData {
  return {
    descriptor,
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.HISTOGRAM,
    dataPoints: series.map((s) => ({
      attributes: s.attributes,
      startTime,
      endTime,
      value: {
        buckets: { boundaries: [...boundaries], counts: [...s.counts] },
        count: s.count,
        sum: s.sum,
        min: s.min,
        max: s.max,
      },
    })),
  };
}

/**
 * The same producer read as deltas, for a reader whose exporter asks for delta temporality
 * (OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE): each histogram point becomes what
 * was added since this view's previous collection, starting where that one ended. Series
 * without new measurements are left out, as the SDK leaves them out; min and max of an
 * interval are unknown from cumulative figures and are omitted.
 */
export function deltaProducer(source: MetricProducer): MetricProducer {
  type Seen = { count: number; sum: number; counts: number[]; endTime: HrTime };
  const seen = new Map<string, WeakMap<Attributes, Seen>>();
  return {
    async collect(options) {
      const result = await source.collect(options);
      const scopeMetrics = result.resourceMetrics.scopeMetrics.map((scoped) => ({
        scope: scoped.scope,
        metrics: scoped.metrics.map((metric): MetricData => {
          if (metric.dataPointType !== DataPointType.HISTOGRAM) return metric;
          const key = instrumentKey(scoped.scope, metric.descriptor.name);
          let previous = seen.get(key);
          if (previous === undefined) seen.set(key, (previous = new WeakMap()));
          const last = previous;
          const dataPoints = metric.dataPoints.flatMap((point) => {
            const { count, sum, buckets } = point.value;
            const before = last.get(point.attributes);
            last.set(point.attributes, { count, sum: sum ?? 0, counts: buckets.counts, endTime: point.endTime });
            if (before !== undefined && count === before.count) return [];
            return [{
              attributes: point.attributes,
              startTime: before?.endTime ?? point.startTime,
              endTime: point.endTime,
              value: {
                buckets: { boundaries: buckets.boundaries, counts: buckets.counts.map((n, i) => n - (before?.counts[i] ?? 0)) },
                count: count - (before?.count ?? 0),
                sum: (sum ?? 0) - (before?.sum ?? 0),
              },
            }];
          });
          return { ...metric, aggregationTemporality: AggregationTemporality.DELTA, dataPoints };
        }).filter((metric) => metric.dataPoints.length > 0),
      }));
      return { ...result, resourceMetrics: { ...result.resourceMetrics, scopeMetrics } };
    },
  };
}
