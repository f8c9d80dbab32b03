// otelkit's request-duration histogram is kept in one storage that every reader collects
// from when all of them would aggregate it alike; a reader that aggregates histograms
// differently, and a view of the app's own, keep what sdk-metrics does without otelkit's view.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fixture, get } from './helpers/app.mjs';
import { withExportingApp } from './helpers/exporting-app.mjs';
import { promSample, eventually } from './helpers/health.mjs';

const require = createRequire(import.meta.url);
const { sharedStorageViews } = require('../dist/src/metrics/shared-storage.js');
const { MeterProvider, MetricReader, AggregationType, DataPointType } = require('@opentelemetry/sdk-metrics');

/** The extensions fixture app, exporting, after five requests. */
function withApp(env, fn) {
  return withExportingApp(fixture('extensions/app.js'), env, async (running) => {
    for (let i = 0; i < 5; i++) assert.equal((await get(running.app.url)).status, 200);
    await fn(running);
  });
}

test('a reader that aggregates histograms as exponential histograms gets them; the scrape keeps its buckets', async () => {
  const out = join(mkdtempSync(join(tmpdir(), 'otelkit-reader-')), 'collections.jsonl');
  await withApp({ OTELKIT_EXTENSIONS: './exponential-reader.js', READER_OUT: out }, async ({ scrape }) => {
    const seen = await eventually(() => existsSync(out) && readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l))
      .find((m) => m.name === 'http.server.request.duration' && m.count === 5), 10_000);
    assert.equal(seen.type, DataPointType.EXPONENTIAL_HISTOGRAM);
    const text = await scrape();
    assert.equal(promSample(text, 'http_server_request_duration_seconds_count')?.value, 5, text);
    assert.match(text, /http_server_request_duration_seconds_bucket\{[^}]*le="0\.005"/);
  });
});

test('an app view of the request histogram makes the only stream of it', async () => {
  await withApp({ OTELKIT_EXTENSIONS: './renaming-view.js' }, async ({ scrape }) => {
    const text = await scrape();
    assert.equal(promSample(text, 'app_request_duration_seconds_count')?.value, 5, text);
    assert.equal(promSample(text, 'http_server_request_duration_seconds_count'), undefined, text);
  });
});

class Reader extends MetricReader {
  constructor(aggregation = AggregationType.DEFAULT) {
    super({ aggregationSelector: () => ({ type: aggregation }) });
  }
  onForceFlush() { return Promise.resolve(); }
  onShutdown() { return Promise.resolve(); }
}

/** Records the same durations with and without the view; returns both readers' collections of each. */
async function collections(views) {
  const readers = [new Reader(), new Reader()];
  const provider = new MeterProvider({ readers, views });
  const histogram = provider.getMeter('otelkit').createHistogram('http.server.request.duration', { unit: 's', advice: { explicitBucketBoundaries: [0.01, 0.1, 1] } });
  for (let i = 0; i < 200; i++) histogram.record((i % 17) / 10, { 'http.request.method': i % 3 ? 'GET' : 'POST', 'http.route': `/r/${i % 5}` });
  const points = async (reader) => (await reader.collect()).resourceMetrics.scopeMetrics[0].metrics[0].dataPoints
    .map((p) => ({ attributes: p.attributes, value: p.value })).sort((a, b) => JSON.stringify(a.attributes).localeCompare(JSON.stringify(b.attributes)));
  return Promise.all(readers.map(points));
}

test('through the shared storage each reader collects what it collects without it', async () => {
  const views = sharedStorageViews('otelkit', [new Reader(), new Reader()], []);
  assert.equal(views.length, 1);
  const [shared, plain] = [await collections(views), await collections([])];
  assert.deepEqual(shared[0], plain[0]);
  assert.deepEqual(shared[1], plain[1]);
  assert.equal(shared[0].length, 10);
});

test('no shared storage for one reader, a reader aggregating otherwise, or app views', () => {
  assert.deepEqual(sharedStorageViews('otelkit', [new Reader()], []), []);
  assert.deepEqual(sharedStorageViews('otelkit', [new Reader(), new Reader(AggregationType.EXPONENTIAL_HISTOGRAM)], []), []);
  assert.deepEqual(sharedStorageViews('otelkit', [new Reader(), new Reader()], [{ instrumentName: 'x' }]), []);
});
