/**
 * A MeterProvider for instrumentations whose UpDownCounters move on every call. The pg
 * instrumentation adds to three of them on each pool acquire and release — six adds per
 * query, each hashing its attributes into a sorted JSON string in the SDK (~65k
 * instructions per Express + pg request in a callgrind profile; otelkit's request went from
 * 856k to 773k–797k in `node bench/instructions.mjs express-pg`).
 * Here an add is one Map lookup on the attribute values; the sums reach the SDK through
 * observable UpDownCounters of the same name, unit and description, read at collection.
 * Both kinds export as a non-monotonic sum (a Prometheus gauge): the data is the same.
 * Everything else goes to the SDK's meter unchanged.
 */
import type {
  Attributes, Meter, MeterOptions, MeterProvider, MetricOptions, ObservableResult, UpDownCounter,
} from '@opentelemetry/api';

/** The SDK's default cardinality limit; further attribute sets share one overflow series. */
const CARDINALITY_LIMIT = 2000;
const OVERFLOW: Attributes = Object.freeze({ 'otel.metric.overflow': true });

interface Sum {
  readonly attributes: Attributes;
  value: number;
}

class SummedUpDownCounter implements UpDownCounter {
  private readonly sums = new Map<string, Sum>();
  private overflow: Sum | undefined;

  add(value: number, attributes: Attributes = {}): void {
    if (typeof value !== 'number' || Number.isNaN(value)) return;
    const key = keyOf(attributes);
    let sum = this.sums.get(key);
    if (sum === undefined) {
      if (this.sums.size < CARDINALITY_LIMIT) this.sums.set(key, (sum = { attributes: { ...attributes }, value: 0 }));
      else sum = this.overflow ??= { attributes: OVERFLOW, value: 0 };
    }
    sum.value += value;
  }

  /** One observation per attribute set (two insertion orders of one set are one series). */
  observe(result: ObservableResult): void {
    const merged = new Map<string, Sum>();
    const all = this.overflow === undefined ? this.sums.values() : [...this.sums.values(), this.overflow];
    for (const sum of all) {
      const canonical = canonicalKey(sum.attributes);
      const seen = merged.get(canonical);
      if (seen === undefined) merged.set(canonical, { attributes: sum.attributes, value: sum.value });
      else seen.value += sum.value;
    }
    for (const { value, attributes } of merged.values()) result.observe(value, attributes);
  }
}

/** Keys and values in insertion order: cheap, and the same call site always agrees with itself. */
function keyOf(attributes: Attributes): string {
  let key = '';
  for (const name in attributes) {
    const value = attributes[name];
    if (value === undefined) continue;
    key += `${name}\u0000${typeof value === 'string' ? value : JSON.stringify(value)}\u0001`;
  }
  return key;
}

function canonicalKey(attributes: Attributes): string {
  return JSON.stringify(Object.keys(attributes).sort().map((k) => [k, attributes[k]]));
}

/** The SDK's meter with createUpDownCounter replaced; every other method is the meter's own. */
function summingMeter(meter: Meter): Meter {
  const summing: Meter = Object.create(meter);
  summing.createUpDownCounter = (name: string, options?: MetricOptions): UpDownCounter => {
    const counter = new SummedUpDownCounter();
    meter.createObservableUpDownCounter(name, options).addCallback((result) => counter.observe(result));
    return counter;
  };
  return summing;
}

export function summingMeterProvider(provider: MeterProvider): MeterProvider {
  return {
    getMeter: (name: string, version?: string, options?: MeterOptions) => summingMeter(provider.getMeter(name, version, options)),
  };
}
