// Summed up-down counters (the pg pool's connection counters) export what the SDK's own
// up-down counter exports: the same adds go to a plain MeterProvider and, through
// summingMeterProvider, to a second one; each collection of the two must match, series by
// series and value by value, on a cumulative and on a delta reader.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AggregationTemporality, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { summingMeterProvider } from '../dist/src/metrics/summed-counters.js';
import { heapAfterGc } from './helpers/tracing.mjs';

class Reader extends MetricReader {
  constructor(temporality) {
    super({ aggregationTemporalitySelector: () => temporality });
  }
  async onForceFlush() {}
  async onShutdown() {}
}

const NAMES = new Set(['db.client.connection.count', 'db.client.connection.pending_requests']);

function setup(summing, temporality) {
  const reader = new Reader(temporality);
  const provider = new MeterProvider({ readers: [reader] });
  const own = provider.getMeter('otelkit');
  const meter = (summing ? summingMeterProvider(provider, NAMES, own) : provider).getMeter('@opentelemetry/instrumentation-pg', '0.77.0');
  const count = meter.createUpDownCounter('db.client.connection.count', { unit: '{connection}', description: 'connections by state' });
  const pending = meter.createUpDownCounter('db.client.connection.pending_requests', { unit: '{connection}' });
  const max = meter.createUpDownCounter('db.client.connection.max', { unit: '{connection}' });
  return { reader, count, pending, max };
}

/** What a reader collected, as comparable rows: metric, attributes, value. */
async function collected(reader) {
  const { resourceMetrics } = await reader.collect();
  const rows = [];
  for (const scope of resourceMetrics.scopeMetrics) {
    if (scope.scope.name !== '@opentelemetry/instrumentation-pg') continue;
    for (const m of scope.metrics) {
      for (const p of m.dataPoints) rows.push(`${m.descriptor.name} ${m.descriptor.unit} ${m.isMonotonic} ${m.aggregationTemporality} ${JSON.stringify(Object.entries(p.attributes).sort())} ${p.value}`);
    }
  }
  return rows.sort();
}

/** A pseudo-random pool workload, the same for both setups. */
function* workload(seed) {
  let x = seed;
  const next = (n) => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x % n;
  };
  const pools = ['pg://a:5432/test', 'pg://b:5432/test', 'pg://c:5432/other'];
  for (let step = 0; step < 3000; step++) {
    const pool = pools[next(pools.length)];
    const kind = next(10);
    if (kind === 0) yield ['collect'];
    else if (kind < 4) yield ['count', next(5) - 2, { 'db.client.connection.state': next(2) ? 'used' : 'idle', 'db.client.connection.pool.name': pool }];
    else if (kind < 6) yield ['count', 0, { 'db.client.connection.pool.name': pool, 'db.client.connection.state': 'idle' }]; // other key order
    else if (kind < 8) yield ['pending', next(3) - 1, { 'db.client.connection.pool.name': pool }];
    else if (kind < 9) yield ['pending', 1, { 'db.client.connection.pool.name': pool, tags: ['x', String(next(3))] }]; // array: the SDK's own path
    else yield ['max', 1, { 'db.client.connection.pool.name': pool }];
  }
}

for (const temporality of [AggregationTemporality.CUMULATIVE, AggregationTemporality.DELTA]) {
  test(`summed counters collect what the SDK's counters collect (${temporality === AggregationTemporality.CUMULATIVE ? 'cumulative' : 'delta'})`, async () => {
    const plain = setup(false, temporality);
    const summed = setup(true, temporality);
    let collections = 0;
    for (const [op, value, attributes] of workload(7)) {
      if (op === 'collect') {
        const [a, b] = [await collected(plain.reader), await collected(summed.reader)];
        if (temporality === AggregationTemporality.DELTA) {
          // Under delta a series whose adds summed to zero in the interval has no point
          // (the SDK's own counter exports a 0): compare the non-zero points.
          const nonZero = (rows) => rows.filter((r) => !r.endsWith(' 0'));
          assert.deepEqual(nonZero(b), nonZero(a), `collection ${collections}`);
        } else {
          assert.deepEqual(b, a, `collection ${collections}`);
        }
        collections++;
        continue;
      }
      plain[op].add(value, attributes);
      summed[op].add(value, attributes);
    }
    assert.ok(collections > 200, `${collections} collections`);
    if (temporality === AggregationTemporality.CUMULATIVE) assert.ok((await collected(summed.reader)).length >= 9, 'every pool and state has a series');
  });
}

test('a series first added at zero is exported at zero, as by the SDK', async () => {
  const summed = setup(true, AggregationTemporality.CUMULATIVE);
  summed.pending.add(0, { 'db.client.connection.pool.name': 'p' });
  assert.deepEqual(await collected(summed.reader), [`db.client.connection.pending_requests {connection} false 1 [["db.client.connection.pool.name","p"]] 0`]);
  summed.pending.add(1, { 'db.client.connection.pool.name': 'p' });
  summed.pending.add(-1, { 'db.client.connection.pool.name': 'p' });
  summed.pending.add(2, { 'db.client.connection.pool.name': 'p' });
  assert.deepEqual(await collected(summed.reader), [`db.client.connection.pending_requests {connection} false 1 [["db.client.connection.pool.name","p"]] 2`]);
});

test('past 2,000 series the adds take the SDK path and its cardinality limit', async () => {
  const plain = setup(false, AggregationTemporality.CUMULATIVE);
  const summed = setup(true, AggregationTemporality.CUMULATIVE);
  for (let i = 0; i < 2500; i++) {
    plain.pending.add(1, { 'db.client.connection.pool.name': `pool-${i}` });
    summed.pending.add(1, { 'db.client.connection.pool.name': `pool-${i}` });
  }
  const [a, b] = [await collected(plain.reader), await collected(summed.reader)];
  assert.ok(a.some((row) => row.includes('otel.metric.overflow')), 'the SDK put the series past its limit into its overflow series');
  assert.deepEqual(b, a);
});

test('the table stays bounded: 200,000 new series past the limit make nothing new in it', async () => {
  const summed = setup(true, AggregationTemporality.CUMULATIVE);
  const add = (from, to) => {
    for (let i = from; i < to; i++) summed.count.add(1, { 'db.client.connection.state': `s-${i}`, 'db.client.connection.pool.name': `pool-${i}` });
  };
  add(0, 2000);
  await collected(summed.reader);
  const before = heapAfterGc().heapUsed;
  add(2000, 202_000);
  await collected(summed.reader);
  const grown = (heapAfterGc().heapUsed - before) / 2 ** 20;
  // Two attributes per series: a table taking them in would hold 800,000 more maps (well over 100 MB).
  assert.ok(grown < 8, `heap grew ${grown.toFixed(1)} MB`);
});

test("a pool's acquire and release adds reach the SDK's counter once per changed series per collection", async () => {
  const reader = new Reader(AggregationTemporality.CUMULATIVE);
  const provider = new MeterProvider({ readers: [reader] });
  let handed = 0;
  // The provider under the summing one, counting the adds its up-down counters receive.
  const counting = {
    getMeter: (...scope) => ({
      createUpDownCounter: (name, options) => {
        const counter = provider.getMeter(...scope).createUpDownCounter(name, options);
        return { add: (...args) => { handed++; counter.add(...args); } };
      },
    }),
  };
  const meter = summingMeterProvider(counting, NAMES, provider.getMeter('otelkit')).getMeter('@opentelemetry/instrumentation-pg', '0.77.0');
  const count = meter.createUpDownCounter('db.client.connection.count', { unit: '{connection}' });
  const used = { 'db.client.connection.state': 'used', 'db.client.connection.pool.name': 'p' };
  const idle = { 'db.client.connection.state': 'idle', 'db.client.connection.pool.name': 'p' };
  count.add(1, idle);
  for (let query = 0; query < 1000; query++) {
    count.add(1, used);
    count.add(-1, idle);
    count.add(-1, used);
    count.add(1, idle);
  }
  assert.equal(handed, 0, 'nothing reaches the SDK between collections');
  const { resourceMetrics } = await reader.collect();
  assert.equal(handed, 2, 'one add per series: both are new');
  const values = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === 'db.client.connection.count').dataPoints.map((p) => p.value).sort();
  assert.deepEqual(values, [0, 1]);
  count.add(1, used);
  count.add(-1, used);
  await reader.collect();
  assert.equal(handed, 2, 'adds that cancel out hand nothing over');
});
