// What the leader merges: metrics of several processes (sums, buckets, per-process gauges,
// what a departed process leaves), DDSketches over the wire, and the channel's frames.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { mergeMetrics } = require('../../dist/src/cluster/metrics-merge.js');
const { encode, FrameReader, MAX_FRAME_BYTES } = require('../../dist/src/cluster/wire.js');
const { createSketch } = require('../../dist/src/apm/sketch.js');
const { sketchToWire, mergeSketchWire } = require('../../dist/src/apm/sketch-wire.js');
const { ApmStats } = require('../../dist/src/apm/stats.js');

const SUM = 3;
const GAUGE = 2;
const HISTOGRAM = 0;
const t = [1, 0];
const metric = (name, type, monotonic, points) => ({ name, description: '', unit: '', valueType: 1, type, monotonic, points: points.map(([attributes, value]) => ({ attributes, start: t, end: t, value })) });
const scope = (...metrics) => [{ scope: { name: 'otelkit' }, metrics }];
const hist = (counts, boundaries = [1, 2]) => ({ boundaries, counts, count: counts.reduce((a, b) => a + b, 0), sum: 1, min: 0.5, max: 3 });
const find = (merged, name) => merged[0].metrics.find((m) => m.name === name);

test('counters add per series; up-down counters only over live processes; gauges per process', () => {
  const a = scope(
    metric('requests', SUM, true, [[{ route: '/a' }, 3], [{ route: '/b' }, 1]]),
    metric('active', SUM, false, [[{}, 2]]),
    metric('cpu', GAUGE, false, [[{}, 0.5]]),
  );
  const b = scope(metric('requests', SUM, true, [[{ route: '/a' }, 4]]), metric('active', SUM, false, [[{}, 5]]), metric('cpu', GAUGE, false, [[{}, 0.25]]));
  const gone = scope(metric('requests', SUM, true, [[{ route: '/a' }, 10]]), metric('active', SUM, false, [[{}, 100]]));
  const merged = mergeMetrics([{ scopes: a, live: true, pid: 1 }, { scopes: b, live: true, pid: 2 }, { scopes: gone, live: false }]);
  assert.deepEqual(find(merged, 'requests').points.map((p) => [p.attributes.route, p.value]).sort(), [['/a', 17], ['/b', 1]]);
  assert.deepEqual(find(merged, 'active').points.map((p) => p.value), [7]);
  assert.deepEqual(find(merged, 'cpu').points.map((p) => [p.attributes['process.pid'], p.value]), [[1, 0.5], [2, 0.25]]);
});

test('histograms add bucket by bucket; different boundaries stay per process', () => {
  const merged = mergeMetrics([
    { scopes: scope(metric('d', HISTOGRAM, true, [[{ r: 'x' }, hist([1, 2, 3])]])), live: true, pid: 1 },
    { scopes: scope(metric('d', HISTOGRAM, true, [[{ r: 'x' }, hist([4, 0, 1])]])), live: true, pid: 2 },
    { scopes: scope(metric('d', HISTOGRAM, true, [[{ r: 'x' }, hist([1, 1], [5])]])), live: true, pid: 3 },
  ]);
  const points = find(merged, 'd').points;
  const summed = points.find((p) => p.attributes['process.pid'] === undefined);
  assert.deepEqual(summed.value.counts, [5, 2, 4]);
  assert.equal(summed.value.count, 11);
  assert.equal(summed.value.sum, 2);
  assert.deepEqual(points.find((p) => p.attributes['process.pid'] === 3).value.counts, [1, 1]);
});

test('a sketch sent over the wire merges to the quantiles of all the values', () => {
  const all = createSketch();
  const parts = [createSketch(), createSketch(), createSketch()];
  for (let i = 1; i <= 3000; i++) {
    const v = (i % 97) * 1.7 + i / 100;
    all.accept(v);
    parts[i % 3].accept(v);
  }
  const merged = createSketch();
  for (const p of parts) mergeSketchWire(merged, JSON.parse(JSON.stringify(sketchToWire(p))));
  assert.equal(merged.count, all.count);
  for (const q of [0.5, 0.95, 0.99]) assert.equal(merged.getValueAtQuantile(q), all.getValueAtQuantile(q));
});

test('APM statistics of several processes merge per operation, bounded like any ApmStats', () => {
  const span = (name, ms) => ({ name, kind: 1, attributes: {}, duration: [0, ms * 1e6], status: { code: 0 }, spanContext: () => ({}) });
  const one = new ApmStats(10);
  const two = new ApmStats(10);
  for (let i = 0; i < 50; i++) one.resolve(span('GET /a', 1)).record(1 + i, false);
  for (let i = 0; i < 30; i++) two.resolve(span('GET /a', 1)).record(100 + i, i === 0);
  two.resolve(span('GET /b', 1)).record(5, false);
  const merged = ApmStats.merged(1, [JSON.parse(JSON.stringify(one.toWire())), two.toWire()]);
  const a = merged.all().find((o) => o.operation === 'GET /a');
  assert.equal(a.count, 80);
  assert.equal(a.errors, 1);
  assert.equal(a.durations.maxMs, 129);
  assert.ok(a.quantile(0.99) >= 125 && a.quantile(0.5) < 60);
  assert.equal(merged.all().find((o) => o.operation === 'other').count, 1, 'past the cap: other');
});

test('durations kept exactly on both sides, or past the limit on one, merge to the percentiles of all the calls', () => {
  const span = (name) => ({ name, kind: 1, attributes: {}, duration: [0, 1e6], status: { code: 0 }, spanContext: () => ({}) });
  const nearest = (values, q) => values.toSorted((x, y) => x - y)[Math.ceil(q * values.length) - 1];
  for (const [left, right] of [[60, 60], [150, 30], [30, 150]]) {
    const one = new ApmStats(10);
    const two = new ApmStats(10);
    const all = [];
    for (let i = 0; i < left; i++) { one.resolve(span('GET /a')).record(1 + i, false); all.push(1 + i); }
    for (let i = 0; i < right; i++) { two.resolve(span('GET /a')).record(500 + 3 * i, false); all.push(500 + 3 * i); }
    const a = ApmStats.merged(1, [JSON.parse(JSON.stringify(one.toWire())), JSON.parse(JSON.stringify(two.toWire()))]).all().find((o) => o.operation === 'GET /a');
    assert.equal(a.count, left + right);
    for (const q of [0.5, 0.95, 0.99]) {
      const want = nearest(all, q);
      assert.ok(Math.abs(a.quantile(q) - want) <= want * 0.01 + 1e-9, `${left}+${right} calls, q=${q}: ${a.quantile(q)} against ${want}`);
    }
  }
});

test('frames survive any chunking; an oversized frame is refused', () => {
  const bytes = Buffer.concat([encode({ t: 'a', n: 1 }), encode({ t: 'b', s: 'x'.repeat(1000) })]);
  const reader = new FrameReader();
  const out = [];
  for (let i = 0; i < bytes.length; i += 7) out.push(...reader.push(bytes.subarray(i, i + 7)));
  assert.deepEqual(out.map((m) => m.t), ['a', 'b']);
  const huge = Buffer.alloc(4);
  huge.writeUInt32BE(MAX_FRAME_BYTES + 1);
  assert.throws(() => new FrameReader().push(huge), /over the limit/);
});

test('N+1 detections of several processes: one list, newest first, bounded', () => {
  const { NPlusOneDetector, MAX_DETECTIONS } = require('../../dist/src/db/n-plus-one.js');
  const at = (s) => ({ route: '/r', fingerprint: 'f', statement: 'SELECT ?', count: 10, total_ms: 1, request_id: null, trace_id: 't', timestamp: new Date(s * 1000).toISOString() });
  const merged = NPlusOneDetector.merged(10, [[at(3), at(1)], [at(4), at(2)]]);
  assert.deepEqual(merged.list().map((d) => Date.parse(d.timestamp) / 1000), [4, 3, 2, 1]);
  const many = Array.from({ length: MAX_DETECTIONS + 50 }, (_, i) => at(i));
  const capped = NPlusOneDetector.merged(10, [many]).list();
  assert.equal(capped.length, MAX_DETECTIONS);
  assert.equal(Date.parse(capped[0].timestamp) / 1000, MAX_DETECTIONS + 49);
});
