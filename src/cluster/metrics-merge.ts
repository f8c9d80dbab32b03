/** The merge of several processes' metrics into the service's (rules in metrics-wire.ts). */
import type { Attributes, HrTime } from '@opentelemetry/api';
import { DataPointType } from '@opentelemetry/sdk-metrics';
import type { WireHistogram, WireMetric, WirePoint, WireScope } from './metrics-wire';

export interface MetricsSource {
  readonly scopes: readonly WireScope[];
  /** A live process: its up-down counters and gauges count; otherwise only counters and histograms. */
  readonly live: boolean;
  /** Labels its gauges (and histograms that cannot be summed). */
  readonly pid?: number;
}

interface MergedMetric {
  readonly first: WireMetric;
  readonly points: Map<string, WirePoint>;
}

interface MergedScope {
  readonly scope: WireScope['scope'];
  readonly metrics: Map<string, MergedMetric>;
}

export function mergeMetrics(sources: readonly MetricsSource[]): WireScope[] {
  const scopes = new Map<string, MergedScope>();
  for (const source of sources) {
    for (const s of source.scopes) {
      let scope = scopes.get(s.scope.name);
      if (scope === undefined) scopes.set(s.scope.name, (scope = { scope: s.scope, metrics: new Map() }));
      for (const m of s.metrics) addMetric(scope, m, source);
    }
  }
  return [...scopes.values()].map((s) => ({
    scope: s.scope,
    metrics: [...s.metrics.values()].map((m) => ({ ...m.first, points: [...m.points.values()] })),
  }));
}

function addMetric(scope: MergedScope, m: WireMetric, source: MetricsSource): void {
  if (!source.live && !m.monotonic) return;
  let merged = scope.metrics.get(m.name);
  if (merged === undefined) scope.metrics.set(m.name, (merged = { first: m, points: new Map() }));
  else if (merged.first.type !== m.type || merged.first.monotonic !== m.monotonic) return; // conflicting definitions: the first wins
  const perProcess = m.type === DataPointType.GAUGE;
  for (const p of m.points) {
    if (perProcess) {
      if (source.pid === undefined) continue;
      const attributes = { ...p.attributes, 'process.pid': source.pid };
      merged.points.set(keyOf(attributes), { ...p, attributes });
      continue;
    }
    const key = keyOf(p.attributes);
    const existing = merged.points.get(key);
    if (existing === undefined) {
      merged.points.set(key, p);
      continue;
    }
    const sum = add(existing, p);
    if (sum !== undefined) merged.points.set(key, sum);
    else if (source.pid !== undefined) {
      const attributes = { ...p.attributes, 'process.pid': source.pid };
      merged.points.set(keyOf(attributes), { ...p, attributes });
    }
  }
}

/** The sum of two points of one series, or undefined when they cannot be summed. */
function add(a: WirePoint, b: WirePoint): WirePoint | undefined {
  const start = earlier(a.start, b.start);
  const end = earlier(b.end, a.end) === a.end ? b.end : a.end;
  if (typeof a.value === 'number' && typeof b.value === 'number') return { attributes: a.attributes, start, end, value: a.value + b.value };
  if (typeof a.value === 'number' || typeof b.value === 'number') return undefined;
  const value = addHistograms(a.value, b.value);
  return value === undefined ? undefined : { attributes: a.attributes, start, end, value };
}

function addHistograms(a: WireHistogram, b: WireHistogram): WireHistogram | undefined {
  if (a.boundaries.length !== b.boundaries.length || a.counts.length !== b.counts.length) return undefined;
  for (let i = 0; i < a.boundaries.length; i++) if (a.boundaries[i] !== b.boundaries[i]) return undefined;
  return {
    boundaries: a.boundaries,
    counts: a.counts.map((c, i) => c + b.counts[i]),
    count: a.count + b.count,
    sum: a.sum === undefined || b.sum === undefined ? undefined : a.sum + b.sum,
    min: pick(a.min, b.min, Math.min),
    max: pick(a.max, b.max, Math.max),
  };
}

function pick(a: number | undefined, b: number | undefined, f: (x: number, y: number) => number): number | undefined {
  return a === undefined ? b : b === undefined ? a : f(a, b);
}

function earlier(a: HrTime, b: HrTime): HrTime {
  return a[0] < b[0] || (a[0] === b[0] && a[1] <= b[1]) ? a : b;
}

/** A series' identity: its attributes, in key order. */
export function keyOf(attributes: Attributes): string {
  return JSON.stringify(Object.keys(attributes).sort().map((k) => [k, attributes[k]]));
}
