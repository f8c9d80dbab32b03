/**
 * The MeterProvider the instrumentations get. Their synchronous instruments move on every
 * call — the pg instrumentation adds to three UpDownCounters on each pool acquire and
 * release and records a histogram per query, the HTTP and undici clients one histogram per
 * request — and the SDK sorts and JSON-serialises the attribute set of each measurement,
 * then hashes and compares that string to find its series. Here the series is found by the
 * attribute keys and values themselves (attribute-index.ts).
 *
 * - UpDownCounter: summed here, reported through an observable UpDownCounter of the same
 *   name, unit and description (both export as a non-monotonic sum, a Prometheus gauge).
 * - Histogram: a cumulative explicit-bucket histogram with the instrument's advised
 *   boundaries (the SDK's defaults without advice), handed to the readers by the
 *   MetricProducer this module returns, under the instrument's own scope.
 * Everything else goes to the SDK's meter unchanged.
 */
import {
  diag, ValueType,
  type Attributes, type Histogram, type Meter, type MeterOptions, type MeterProvider, type MetricAdvice,
  type MetricOptions, type ObservableResult, type UpDownCounter, type HrTime,
} from '@opentelemetry/api';
import { hrTime } from '@opentelemetry/core';
import { emptyResource } from '@opentelemetry/resources';
import type { CollectionResult, MetricDescriptor, MetricProducer, ScopeMetrics } from '@opentelemetry/sdk-metrics';
import type { InstrumentationScope } from '@opentelemetry/core';
import { AttributeIndex } from './attribute-index';
import { histogramData, instrumentKey, newSeries, recordValue, type HistogramSeries } from './histogram';

/** The SDK's default explicit bucket boundaries. */
const DEFAULT_BOUNDARIES: readonly number[] = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

interface Sum {
  readonly attributes: Attributes;
  value: number;
}

class SummedUpDownCounter implements UpDownCounter {
  private readonly sums = new AttributeIndex<Sum>((attributes) => ({ attributes, value: 0 }));

  constructor(private readonly descriptor: MetricDescriptor) {}

  add(value: number, attributes: Attributes = {}): void {
    const v = checked(this.descriptor, value);
    if (v !== undefined) this.sums.get(attributes).value += v;
  }

  observe(result: ObservableResult): void {
    for (const { value, attributes } of this.sums.values()) result.observe(value, attributes);
  }
}

class SummedHistogram implements Histogram {
  private readonly series: AttributeIndex<HistogramSeries>;

  constructor(
    readonly descriptor: MetricDescriptor,
    readonly boundaries: readonly number[],
  ) {
    this.series = new AttributeIndex((attributes) => newSeries(attributes, boundaries));
  }

  record(value: number, attributes: Attributes = {}): void {
    const v = checked(this.descriptor, value);
    if (v === undefined) return;
    if (v < 0) {
      diag.warn(`negative value provided to histogram ${this.descriptor.name}: ${v}`);
      return;
    }
    recordValue(this.series.get(attributes), v, this.boundaries);
  }

  values(): HistogramSeries[] {
    return this.series.values();
  }
}

/** The SDK's checks on a measurement: numbers only; INT instruments drop the fraction. */
function checked(descriptor: MetricDescriptor, value: number): number | undefined {
  if (typeof value !== 'number' || Number.isNaN(value)) {
    diag.warn(`non-number value provided to metric ${descriptor.name}: ${value}`);
    return undefined;
  }
  if (descriptor.valueType === ValueType.INT && !Number.isInteger(value)) {
    const truncated = Math.trunc(value);
    return Number.isInteger(truncated) ? truncated : undefined;
  }
  return value;
}

function descriptorOf(name: string, options: MetricOptions = {}): MetricDescriptor {
  return { name, description: options.description ?? '', unit: options.unit ?? '', valueType: options.valueType ?? ValueType.DOUBLE };
}

function boundariesOf(advice: MetricAdvice | undefined): readonly number[] {
  const advised = advice?.explicitBucketBoundaries;
  if (advised === undefined) return DEFAULT_BOUNDARIES;
  // As the SDK takes them: sorted, infinite bounds dropped.
  return advised.filter((b) => Number.isFinite(b)).sort((a, b) => a - b);
}

export interface SummedMetrics extends MetricProducer {
  /** The provider to hand to instrumentations in place of the SDK's. */
  wrap(provider: MeterProvider): MeterProvider;
}

export function createSummedMetrics(): SummedMetrics {
  const startTime: HrTime = hrTime();

  // An instrument asked for again is the one made first, as the SDK hands back its existing
  // storage: counted once, exported once. Histograms are otelkit's own, one per scope and
  // name; a counter reports through the SDK meter it was made with (instrumentations are
  // first given the global provider, the SDK's arrives later), so it is one per SDK meter.
  const histograms = new Map<string, { scope: InstrumentationScope; histogram: SummedHistogram }>();
  const countersByMeter = new WeakMap<Meter, Map<string, SummedUpDownCounter>>();

  function summingMeter(meter: Meter, scope: InstrumentationScope): Meter {
    const summing: Meter = Object.create(meter);
    let counters = countersByMeter.get(meter);
    if (counters === undefined) countersByMeter.set(meter, (counters = new Map()));
    summing.createUpDownCounter = (name: string, options?: MetricOptions): UpDownCounter => {
      let counter = counters.get(name);
      if (counter === undefined) {
        const created = new SummedUpDownCounter(descriptorOf(name, options));
        meter.createObservableUpDownCounter(name, options).addCallback((result) => created.observe(result));
        counters.set(name, (counter = created));
      }
      return counter;
    };
    summing.createHistogram = (name: string, options?: MetricOptions): Histogram => {
      const key = instrumentKey(scope, name);
      let made = histograms.get(key);
      if (made === undefined) {
        made = { scope, histogram: new SummedHistogram(descriptorOf(name, options), boundariesOf(options?.advice)) };
        histograms.set(key, made);
      }
      return made.histogram;
    };
    return summing;
  }

  return {
    wrap: (provider) => ({
      getMeter: (name: string, version?: string, options?: MeterOptions) =>
        summingMeter(provider.getMeter(name, version, options), { name, version, schemaUrl: options?.schemaUrl }),
    }),
    async collect(): Promise<CollectionResult> {
      const endTime = hrTime();
      const byScope = new Map<InstrumentationScope, ScopeMetrics>();
      for (const { scope, histogram } of histograms.values()) {
        const series = histogram.values();
        if (series.length === 0) continue;
        let scoped = byScope.get(scope);
        if (scoped === undefined) byScope.set(scope, (scoped = { scope, metrics: [] }));
        scoped.metrics.push(histogramData(histogram.descriptor, histogram.boundaries, series, startTime, endTime));
      }
      // The reader keeps the SDK's own resource; only scopeMetrics is merged.
      return { resourceMetrics: { resource: emptyResource(), scopeMetrics: [...byScope.values()] }, errors: [] };
    },
  };
}
