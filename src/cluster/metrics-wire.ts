/**
 * Metrics between processes: what one process's Prometheus reader collected, in a compact
 * JSON form, and the merge of several processes' into one service's.
 *
 *   counters (monotonic sums) and histograms   summed per series, histograms bucket by
 *                                               bucket; kept from processes that are gone
 *   up-down counters (non-monotonic sums)       summed over the live processes only
 *   gauges                                      one series per live process, labelled
 *                                               process.pid (a CPU share or a latency
 *                                               percentile does not add up)
 *
 * Histograms whose bucket boundaries differ cannot be summed: those series stay per
 * process. Exponential histograms are not exposed by the Prometheus exporter and are left out.
 */
import type { Attributes, HrTime } from '@opentelemetry/api';
import { AggregationTemporality, DataPointType, type MetricData, type ResourceMetrics, type ScopeMetrics } from '@opentelemetry/sdk-metrics';

export interface WireHistogram {
  readonly boundaries: readonly number[];
  readonly counts: readonly number[];
  readonly count: number;
  readonly sum?: number;
  readonly min?: number;
  readonly max?: number;
}

export interface WirePoint {
  readonly attributes: Attributes;
  readonly start: HrTime;
  readonly end: HrTime;
  readonly value: number | WireHistogram;
}

export interface WireMetric {
  readonly name: string;
  readonly description: string;
  readonly unit: string;
  readonly valueType: number;
  readonly type: DataPointType;
  readonly monotonic: boolean;
  readonly points: readonly WirePoint[];
}

export interface WireScope {
  readonly scope: { readonly name: string; readonly version?: string; readonly schemaUrl?: string };
  readonly metrics: readonly WireMetric[];
}

/** One process's collection in wire form, without the scopes `skip` names. */
export function metricsToWire(rm: ResourceMetrics, skip: ReadonlySet<string> = new Set()): WireScope[] {
  const out: WireScope[] = [];
  for (const sm of rm.scopeMetrics) {
    if (skip.has(sm.scope.name)) continue;
    const metrics: WireMetric[] = [];
    for (const m of sm.metrics) {
      if (m.dataPointType === DataPointType.EXPONENTIAL_HISTOGRAM) continue;
      if (m.aggregationTemporality !== AggregationTemporality.CUMULATIVE && m.dataPointType !== DataPointType.GAUGE) continue;
      metrics.push({
        name: m.descriptor.name,
        description: m.descriptor.description,
        unit: m.descriptor.unit,
        valueType: m.descriptor.valueType,
        type: m.dataPointType,
        monotonic: m.dataPointType === DataPointType.HISTOGRAM || (m.dataPointType === DataPointType.SUM && m.isMonotonic),
        points: (m.dataPoints as MetricData['dataPoints']).map((p) => ({
          attributes: p.attributes,
          start: p.startTime,
          end: p.endTime,
          value: typeof p.value === 'number' ? p.value : histogramToWire(p.value as HistogramValue),
        })),
      });
    }
    out.push({ scope: { name: sm.scope.name, version: sm.scope.version, schemaUrl: sm.scope.schemaUrl }, metrics });
  }
  return out;
}

interface HistogramValue {
  buckets: { boundaries: number[]; counts: number[] };
  count: number;
  sum?: number;
  min?: number;
  max?: number;
}

const finite = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? v : undefined);

function histogramToWire(h: HistogramValue): WireHistogram {
  return { boundaries: h.buckets.boundaries, counts: h.buckets.counts, count: h.count, sum: h.sum, min: finite(h.min), max: finite(h.max) };
}

/** Keeps what a process that is gone still counts for: counters and histograms. */
export function monotonicOnly(scopes: readonly WireScope[]): WireScope[] {
  return scopes
    .map((s) => ({ scope: s.scope, metrics: s.metrics.filter((m) => m.monotonic) }))
    .filter((s) => s.metrics.length > 0);
}

/** The wire form as the SDK's ScopeMetrics, for the Prometheus serializer. */
export function wireToScopeMetrics(scopes: readonly WireScope[]): ScopeMetrics[] {
  return scopes.map((s) => ({
    scope: s.scope,
    metrics: s.metrics.map((m) => ({
      descriptor: { name: m.name, description: m.description, unit: m.unit, valueType: m.valueType },
      dataPointType: m.type,
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      isMonotonic: m.monotonic,
      dataPoints: m.points.map((p) => ({
        attributes: p.attributes,
        startTime: p.start,
        endTime: p.end,
        value: typeof p.value === 'number' ? p.value : { buckets: { boundaries: [...p.value.boundaries], counts: [...p.value.counts] }, count: p.value.count, sum: p.value.sum, min: p.value.min, max: p.value.max },
      })),
    })) as unknown as MetricData[],
  }));
}
