/**
 * Up-down counters whose adds are summed in the process and handed to the SDK's own
 * instrument when a reader collects.
 *
 * The pg instrumentation keeps `db.client.connection.count` and `.pending_requests` by adding
 * the change of each state on every acquire and release of a pool client: six adds per query,
 * each hashed by sdk-metrics (the sorted attribute entries as JSON, then a Map lookup on that
 * string). The adds of a query cancel out (+1 used, −1 idle on acquire, the reverse on
 * release), so summing them here and handing the SDK one add per changed series at collection
 * gives the SDK's instrument the same totals for a fraction of the work (docs/PERFORMANCE.md).
 * Views, attribute processors, cardinality limits and every reader still act on the SDK's
 * instrument; a series appears at the first collection after its first add, as with the
 * SDK's own. Under a delta temporality (not the default for up-down counters) an interval
 * whose adds summed to zero exports no point where the SDK would export a 0.
 */
import type { Attributes, Context, Meter, MeterOptions, MeterProvider, MetricOptions, UpDownCounter } from '@opentelemetry/api';

/** The SDK's default cardinality limit: beyond it, new series take the SDK's path. */
const MAX_SERIES = 2000;
const LEAF = Symbol('series');

class Series {
  delta = 0;
  queued = false;
  sent = false;
  constructor(readonly attributes: Attributes, private readonly target: UpDownCounter) {}

  /** Adds what was summed since the last collection; a new series is added even at zero. */
  flush(): void {
    this.queued = false;
    if (this.delta === 0 && this.sent) return;
    const delta = this.delta;
    this.delta = 0;
    this.sent = true;
    this.target.add(delta, this.attributes);
  }
}

type Node = Map<unknown, unknown>;

class SummedUpDownCounter implements UpDownCounter {
  private readonly root: Node = new Map();
  private count = 0;

  constructor(private readonly target: UpDownCounter, private readonly queue: Series[], private readonly flushAll: () => void) {}

  add(value: number, attributes?: Attributes, context?: Context): void {
    const series = typeof value === 'number' && context === undefined ? this.find(attributes ?? {}) : undefined;
    if (series === undefined) {
      // The SDK's path: what was summed goes first, so the SDK meets series in the order
      // they were first added and its cardinality limit keeps the ones it would have kept.
      this.flushAll();
      this.target.add(value, attributes, context);
      return;
    }
    if (!series.queued) {
      series.queued = true;
      this.queue.push(series);
    }
    series.delta += value;
  }

  /**
   * The series of these attributes, walked key by key and value by value through nested maps
   * (keys and values are the caller's strings, whose hashes V8 keeps). Undefined for values
   * that are arrays or objects and for new series past the limit: those take the SDK's path.
   */
  private find(attributes: Attributes): Series | undefined {
    // Past the limit nothing new is made: the table stays bounded whatever comes.
    const full = this.count >= MAX_SERIES;
    let node = this.root;
    for (const key in attributes) {
      const value = attributes[key];
      if (typeof value === 'object' && value !== null) return undefined;
      let values = node.get(key) as Node | undefined;
      if (values === undefined) {
        if (full) return undefined;
        node.set(key, (values = new Map()));
      }
      let next = values.get(value) as Node | undefined;
      if (next === undefined) {
        if (full) return undefined;
        values.set(value, (next = new Map()));
      }
      node = next;
    }
    const found = node.get(LEAF) as Series | undefined;
    if (found !== undefined || full) return found;
    const created = new Series({ ...attributes }, this.target);
    this.count++;
    node.set(LEAF, created);
    return created;
  }
}

/**
 * A meter provider for one instrumentation: the up-down counters it creates under `names`
 * are summed as above, everything else is the provider's own. `hook` is a meter whose
 * observable callbacks run at every collection, before any instrument is read (sdk-metrics
 * runs every meter's callbacks first); the flush is one such callback.
 */
export function summingMeterProvider(provider: MeterProvider, names: ReadonlySet<string>, hook: Meter): MeterProvider {
  const queue: Series[] = [];
  const counters = new Map<string, SummedUpDownCounter>();
  const flush = (): void => {
    for (let i = 0; i < queue.length; i++) queue[i].flush();
    queue.length = 0;
  };
  const summed = (meter: Meter, key: string, name: string, options?: MetricOptions): UpDownCounter => {
    // The same instrument asked for again (a new meter provider set on the instrumentation)
    // keeps its sums, as the SDK keeps one storage per instrument.
    const existing = counters.get(key);
    if (existing !== undefined) return existing;
    if (counters.size === 0) {
      hook.createObservableGauge('otelkit.internal.flush', { description: 'Observes nothing: hands summed counter adds to the SDK before each collection.' }).addCallback(flush);
    }
    const counter = new SummedUpDownCounter(meter.createUpDownCounter(name, options), queue, flush);
    counters.set(key, counter);
    return counter;
  };
  return {
    getMeter(meterName: string, version?: string, options?: MeterOptions): Meter {
      const meter = provider.getMeter(meterName, version, options);
      const scope = `${meterName}\0${version ?? ''}\0${options?.schemaUrl ?? ''}`;
      return {
        createUpDownCounter: (name, opts) => (names.has(name) ? summed(meter, `${scope}\0${name}`, name, opts) : meter.createUpDownCounter(name, opts)),
        createGauge: (name, opts) => meter.createGauge(name, opts),
        createHistogram: (name, opts) => meter.createHistogram(name, opts),
        createCounter: (name, opts) => meter.createCounter(name, opts),
        createObservableGauge: (name, opts) => meter.createObservableGauge(name, opts),
        createObservableCounter: (name, opts) => meter.createObservableCounter(name, opts),
        createObservableUpDownCounter: (name, opts) => meter.createObservableUpDownCounter(name, opts),
        addBatchObservableCallback: (callback, observables) => meter.addBatchObservableCallback(callback, observables),
        removeBatchObservableCallback: (callback, observables) => meter.removeBatchObservableCallback(callback, observables),
      };
    },
  };
}
