// Metrics over OTLP next to the Prometheus endpoint: the Collector receives the same
// counts the scrape shows (one collection serves both when both are cumulative), and a
// delta preference gets delta data points that add up to the same total.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixture, get } from '../helpers/app.mjs';
import { withExportingApp } from '../helpers/exporting-app.mjs';
import { promSample } from '../helpers/health.mjs';

const QUERY_HISTOGRAM = 'db.client.operation.duration';
const REQUEST_HISTOGRAM = 'http.server.request.duration';

/** The count of the data point of `name` in one export (undefined when absent). */
function countIn(metrics, name, temporality) {
  const metric = metrics.find((m) => m.name === name && m.temporality === temporality);
  return metric?.points.reduce((sum, p) => sum + p.count, 0);
}

const withApp = (env, fn) => withExportingApp(fixture('cjs-app.js'), env, fn);

test('cumulative OTLP metrics carry the counts the Prometheus scrape shows', async () => {
  await withApp({}, async ({ app, receiver, scrape }) => {
    for (let i = 0; i < 5; i++) assert.equal((await get(`${app.url}/db`)).status, 200);
    const text = await scrape();
    assert.equal(promSample(text, 'db_client_operation_duration_seconds_count')?.value, 5, text);
    // Cumulative: a later export holds all five queries and the five requests.
    const seen = receiver.metrics.length;
    await receiver.waitFor((s) => {
      const latest = s.metrics.slice(seen);
      return countIn(latest, QUERY_HISTOGRAM, 'cumulative') === 5 && countIn(latest, REQUEST_HISTOGRAM, 'cumulative') === 5;
    }, 10_000);

    for (let i = 0; i < 3; i++) await get(`${app.url}/db`);
    const later = receiver.metrics.length;
    await receiver.waitFor((s) => countIn(s.metrics.slice(later), QUERY_HISTOGRAM, 'cumulative') === 8, 10_000);
    assert.equal(promSample(await scrape(), 'db_client_operation_duration_seconds_count')?.value, 8);
  });
});

test('OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE=delta: delta points adding up to the scrape', async () => {
  await withApp({ OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'delta' }, async ({ app, receiver, scrape }) => {
    for (let i = 0; i < 6; i++) assert.equal((await get(`${app.url}/db`)).status, 200);
    const total = (name) => receiver.metrics
      .filter((m) => m.name === name && m.temporality === 'delta')
      .reduce((sum, m) => sum + m.points.reduce((s, p) => s + p.count, 0), 0);
    // The instrumentation's query histogram and otelkit's request histogram alike.
    await receiver.waitFor(() => total(QUERY_HISTOGRAM) === 6 && total(REQUEST_HISTOGRAM) === 6, 10_000);
    for (const name of [QUERY_HISTOGRAM, REQUEST_HISTOGRAM]) {
      assert.equal(receiver.metrics.some((m) => m.name === name && m.temporality === 'cumulative'), false, name);
    }
    // Each delta point's buckets add up to its count.
    for (const m of receiver.metrics.filter((x) => x.name === QUERY_HISTOGRAM)) {
      for (const p of m.points) assert.equal(p.buckets.reduce((a, b) => a + b, 0), p.count);
    }
    // The Prometheus endpoint stays cumulative.
    assert.equal(promSample(await scrape(), 'db_client_operation_duration_seconds_count')?.value, 6);
  });
});
