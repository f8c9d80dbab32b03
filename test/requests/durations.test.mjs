// http.server.request.duration as otelkit aggregates it: the histogram a Prometheus scrape
// or an OTLP export reads, with its cardinality cap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { createRequestDurations, DURATION_BUCKETS } = require('../../dist/src/requests/durations.js');

async function points(durations) {
  const { resourceMetrics } = await durations.collect();
  return resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).flatMap((m) => m.dataPoints);
}

test('one series per method, status, scheme and route; buckets, sum, min and max exact', async () => {
  const d = createRequestDurations({ name: 'otelkit' });
  const values = [0.001, 0.005, 0.0051, 0.2, 12];
  for (const v of values) d.record(v, 'GET', 200, '/users/:id', 'http');
  d.record(0.5, 'GET', 500, '/users/:id', 'http');
  d.record(0.5, 'GET', 200, undefined, 'https');
  const all = await points(d);
  assert.equal(all.length, 3);
  const ok = all.find((p) => p.attributes['http.response.status_code'] === 200 && p.attributes['http.route'] === '/users/:id');
  assert.equal(ok.value.count, 5);
  assert.equal(ok.value.min, 0.001);
  assert.equal(ok.value.max, 12);
  assert.ok(Math.abs(ok.value.sum - values.reduce((a, b) => a + b, 0)) < 1e-12);
  // Bucket i counts values in (bounds[i-1], bounds[i]]: 0.001 and 0.005 in the first, 12 in the last.
  assert.deepEqual(ok.value.buckets.boundaries, DURATION_BUCKETS);
  assert.equal(ok.value.buckets.counts[0], 2);
  assert.equal(ok.value.buckets.counts[1], 1);
  assert.equal(ok.value.buckets.counts.at(-1), 1);
  const failed = all.find((p) => p.attributes['http.response.status_code'] === 500);
  assert.equal(failed.attributes['error.type'], '500');
  const noRoute = all.find((p) => p.attributes['url.scheme'] === 'https');
  assert.equal('http.route' in noRoute.attributes, false);
});

test('past 2000 series, new attribute sets share one overflow series', async () => {
  const d = createRequestDurations({ name: 'otelkit' });
  for (let i = 0; i < 2500; i++) d.record(0.01, 'GET', 200, `/r${i}`, 'http');
  d.record(0.01, 'GET', 200, '/r1', 'http'); // an existing series still counts on its own
  const all = await points(d);
  assert.equal(all.length, 2001);
  const overflow = all.find((p) => p.attributes['otel.metric.overflow'] === true);
  assert.equal(overflow.value.count, 500);
  assert.equal(all.find((p) => p.attributes['http.route'] === '/r1').value.count, 2);
  assert.equal(d.size, 2000);
});
