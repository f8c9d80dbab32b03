/**
 * The Prometheus pull reader and its text rendering. The reader never opens a server of
 * its own: otelkit's admin server routes /metrics to render(). Names get the unit suffix
 * the Prometheus compatibility specification asks for (http.server.request.duration in
 * seconds → http_server_request_duration_seconds), which the JS exporter omits.
 */
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { DataPointType, type MetricData, type ResourceMetrics, type ScopeMetrics } from '@opentelemetry/sdk-metrics';

const UNITS: Record<string, string> = {
  s: 'seconds', ms: 'milliseconds', us: 'microseconds', ns: 'nanoseconds',
  min: 'minutes', h: 'hours', d: 'days',
  By: 'bytes', KiBy: 'kibibytes', MiBy: 'mebibytes', GiBy: 'gibibytes', KBy: 'kilobytes', MBy: 'megabytes', GBy: 'gigabytes',
  '%': 'percent', Hz: 'hertz', V: 'volts', A: 'amperes', J: 'joules', W: 'watts', g: 'grams', m: 'meters', Cel: 'celsius',
};

/** Prometheus suffix for an UCUM unit: "s" → "seconds", "By/s" → "bytes_per_second", "{request}" → "". */
export function unitSuffix(unit: string, isGauge: boolean): string {
  const bare = unit.replace(/\{[^}]*\}/g, '').trim();
  if (bare === '1') return isGauge ? 'ratio' : '';
  if (bare === '') return '';
  const [num, per] = bare.split('/', 2);
  const word = (u: string) => UNITS[u] ?? u.replace(/[^A-Za-z0-9_]/g, '_');
  const perWord = per === undefined ? '' : { s: 'second', m: 'minute', h: 'hour', d: 'day' }[per] ?? word(per);
  if (!num) return perWord ? `per_${perWord}` : '';
  return perWord ? `${word(num)}_per_${perWord}` : word(num);
}

function withUnitSuffix(metric: MetricData): MetricData {
  const { name, unit } = metric.descriptor;
  const isGauge = metric.dataPointType === DataPointType.GAUGE;
  const suffix = unitSuffix(unit ?? '', isGauge);
  const normalized = name.replace(/[^A-Za-z0-9_:]/g, '_');
  if (!suffix || normalized.endsWith(`_${suffix}`) || normalized.endsWith(`_${suffix}_total`)) return metric;
  return { ...metric, descriptor: { ...metric.descriptor, name: `${name}_${suffix}` } } as MetricData;
}

export interface PrometheusReader {
  readonly reader: PrometheusExporter;
  /** Prometheus text of every metric, or only of the scopes `keep` accepts. */
  render(keep?: (scope: ScopeMetrics['scope']) => boolean): Promise<string>;
  /** Prometheus text of metrics collected elsewhere (the merge of a service's processes). */
  toText(resourceMetrics: ResourceMetrics, keep?: (scope: ScopeMetrics['scope']) => boolean): string;
}

export function createPrometheusReader(): PrometheusReader {
  const reader = new PrometheusExporter({ preventServerStart: true });
  const serializer = new PrometheusSerializer('', false);
  const toText = (resourceMetrics: ResourceMetrics, keep?: (scope: ScopeMetrics['scope']) => boolean) => {
    const scoped: ResourceMetrics = {
      resource: resourceMetrics.resource,
      scopeMetrics: resourceMetrics.scopeMetrics
        .filter((s) => keep === undefined || keep(s.scope))
        .map((s) => ({ scope: s.scope, metrics: s.metrics.map(withUnitSuffix) })),
    };
    return serializer.serialize(scoped);
  };
  return {
    reader,
    toText,
    async render(keep) {
      // Collection errors (a failing observable callback) are reported through diag by the SDK.
      const { resourceMetrics } = await reader.collect();
      return toText(resourceMetrics, keep);
    },
  };
}
