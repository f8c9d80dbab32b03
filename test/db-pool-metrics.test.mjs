// The pg pool's connection metrics (db.client.connection.*, recorded by the pg
// instrumentation): the states a real pool is in, on the Prometheus endpoint and over OTLP,
// with the instrumentation's names and units.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, fixture, freePort, get } from './helpers/app.mjs';
import { startReceiver } from './helpers/otlp-receiver.mjs';
import { parseProm } from './helpers/prom.mjs';

const POOL = '127.0.0.1:5432/test';

test('pool connection metrics follow the pool: Prometheus gauges and OTLP non-monotonic sums', async () => {
  const receiver = await startReceiver();
  const promPort = await freePort();
  const app = await startApp(fixture('pool-app.js'), {
    env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(promPort), OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_METRIC_EXPORT_INTERVAL: '300', OTEL_TRACES_EXPORTER: 'none' },
  });
  const scrape = async () => {
    const { text } = await get(`http://127.0.0.1:${promPort}/metrics`);
    const pick = (name, state) => parseProm(text).find((s) => s.name === name && s.labels.db_client_connection_pool_name === POOL
      && (state === undefined || s.labels.db_client_connection_state === state))?.value;
    return {
      text,
      used: pick('db_client_connection_count', 'used'),
      idle: pick('db_client_connection_count', 'idle'),
      pending: pick('db_client_connection_pending_requests'),
      max: pick('db_client_connection_max'),
    };
  };
  try {
    for (let i = 0; i < 20; i++) assert.equal((await get(`${app.url}/query`)).status, 200);
    let m = await scrape();
    assert.match(m.text, /^# TYPE db_client_connection_count gauge$/m);
    assert.equal(m.max, 2);
    assert.equal(m.pending, 0);
    assert.equal(m.used + m.idle, 1, 'one connection opened by sequential queries');

    // Both clients checked out and held by the app.
    assert.equal((await get(`${app.url}/hold`)).json.held, 1);
    assert.equal((await get(`${app.url}/hold`)).json.held, 2);
    m = await scrape();
    assert.deepEqual({ used: m.used, idle: m.idle }, { used: 2, idle: 0 });

    assert.equal((await get(`${app.url}/release`)).json.total, 2);
    for (let i = 0; i < 5; i++) await get(`${app.url}/query`);
    m = await scrape();
    assert.equal(m.used + m.idle, 2, 'both connections counted after release');

    const exported = await receiver.waitFor((s) => {
      const latest = s.metrics.filter((x) => x.name === 'db.client.connection.count').at(-1);
      const sum = latest?.points.reduce((n, p) => n + p.value, 0);
      return sum === 2 ? latest : undefined;
    }, 10_000);
    assert.equal(exported.type, 'sum');
    assert.equal(exported.monotonic, false);
    assert.equal(exported.unit, '{connection}');
    assert.equal(exported.temporality, 'cumulative');
    assert.deepEqual(new Set(exported.points.map((p) => p.attributes['db.client.connection.state'])), new Set(['used', 'idle']));
    assert.ok(exported.points.every((p) => p.attributes['db.client.connection.pool.name'] === POOL));
    // One series per name: nothing else registers these instruments a second time.
    assert.equal(m.text.match(/^# TYPE db_client_connection_count /gm).length, 1);
  } finally {
    await app.stop('SIGTERM');
    await receiver.close();
  }
});

// The instrumentation's query histogram, aggregated by the SDK:
// every query counted once, in the instrumentation's advised buckets, failures apart.
const ADVISED = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10];

test('query durations: one db.client.operation.duration histogram series per kind of query, on both paths', async () => {
  const receiver = await startReceiver();
  const promPort = await freePort();
  const app = await startApp(fixture('pool-app.js'), {
    env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(promPort), OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_METRIC_EXPORT_INTERVAL: '300', OTEL_TRACES_EXPORTER: 'none' },
  });
  try {
    for (let i = 0; i < 25; i++) assert.equal((await get(`${app.url}/query`)).status, 200);
    for (let i = 0; i < 3; i++) assert.equal((await get(`${app.url}/fail`)).status, 200);

    const { text } = await get(`http://127.0.0.1:${promPort}/metrics`);
    const samples = parseProm(text).filter((s) => s.name.startsWith('db_client_operation_duration_seconds'));
    assert.equal(text.match(/^# TYPE db_client_operation_duration_seconds histogram$/gm).length, 1);
    const ok = samples.filter((s) => s.labels.error_type === undefined);
    const failed = samples.filter((s) => s.labels.error_type !== undefined);
    const count = (list) => list.find((s) => s.name === 'db_client_operation_duration_seconds_count')?.value;
    assert.equal(count(ok), 25);
    assert.equal(count(failed), 3);
    const okLabels = ok.find((s) => s.name.endsWith('_count')).labels;
    assert.equal(okLabels.db_system_name, 'postgresql');
    assert.equal(okLabels.db_namespace, 'test');
    assert.equal(okLabels.db_operation_name, 'SELECT');
    const le = ok.filter((s) => s.name.endsWith('_bucket')).map((s) => s.labels.le);
    assert.deepEqual(le, [...ADVISED.map(String), '+Inf']);
    assert.equal(ok.find((s) => s.labels.le === '+Inf').value, 25, 'cumulative buckets end at the count');
    const sum = ok.find((s) => s.name.endsWith('_sum')).value;
    assert.ok(sum > 0 && sum < 25 * 5, `sum of 25 local queries in seconds: ${sum}`);

    const exported = await receiver.waitFor((s) => {
      const latest = s.metrics.filter((x) => x.name === 'db.client.operation.duration').at(-1);
      return latest?.points.reduce((n, p) => n + p.count, 0) === 28 ? latest : undefined;
    }, 10_000);
    assert.equal(exported.type, 'histogram');
    assert.equal(exported.unit, 's');
    assert.equal(exported.temporality, 'cumulative');
    assert.equal(exported.scope, '@opentelemetry/instrumentation-pg');
    assert.equal(exported.points.length, 2);
    for (const p of exported.points) {
      assert.deepEqual(p.bounds, ADVISED);
      assert.equal(p.buckets.reduce((a, b) => a + b, 0), p.count);
    }
  } finally {
    await app.stop('SIGTERM');
    await receiver.close();
  }
});
