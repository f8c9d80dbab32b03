// The pg pool's connection metrics (db.client.connection.*), which otelkit sums itself and
// hands to the SDK at collection (src/metrics/summed-meter.ts): the states a real pool is
// in, on the Prometheus endpoint and over OTLP, with the instrumentation's names and units.
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
