// Regression: with DATABASE_URL set and no traffic, the health probe's `SELECT 1` showed up
// in the app's db_client_operation_duration_seconds, and its pool stayed forever in
// db_client_connection_count{pool_name="unknown_host:unknown_port/unknown_database"}.
// Probes are not the app's traffic: no metric, span or APM operation comes from them.
// The app's own query afterwards is the control: it is seen everywhere the probes are not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, fixture, freePort, get } from '../helpers/app.mjs';
import { startReceiver } from '../helpers/otlp-receiver.mjs';
import { parseProm } from '../helpers/prom.mjs';

const DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

test('database health probes leave no metric, span or APM operation; the app\'s own query does', async () => {
  const receiver = await startReceiver();
  const admin = await freePort();
  const app = await startApp(fixture('pool-app.js'), {
    env: {
      DATABASE_URL,
      OTEL_EXPORTER_PROMETHEUS_PORT: String(admin),
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_METRIC_EXPORT_INTERVAL: '300',
    },
  });
  const base = `http://127.0.0.1:${admin}`;
  const dbSeries = async () => parseProm((await get(`${base}/metrics`)).text).filter((s) => s.name.startsWith('db_client_'));
  const pgSpans = () => receiver.spans.filter((s) => s.attributes['db.system.name'] === 'postgresql' || s.attributes['db.system'] === 'postgresql' || /^pg[.-]/.test(s.name));
  const clientOperations = async () => (await get(`${base}/api/performance/apm/stats`)).json.operations.filter((o) => o.kind === 'client');
  try {
    // The app's own start (its listen's dns.lookup) is not the probes'.
    const before = await clientOperations();
    for (let i = 0; i < 5; i++) {
      const detailed = await get(`${base}/api/health/detailed`);
      assert.equal(detailed.json.checks.database.status, 'ok', detailed.text);
    }
    // Long enough for the batch processor (100 ms) and two metric exports (300 ms) to run.
    await new Promise((r) => setTimeout(r, 1000));
    assert.deepEqual((await dbSeries()).map((s) => `${s.name}${JSON.stringify(s.labels)}`), [], 'no database series from the probes');
    assert.deepEqual(pgSpans().map((s) => s.name), [], 'no pg span from the probes');
    assert.deepEqual(await clientOperations(), before, 'no APM client operation from the probes');
    assert.ok(!receiver.metrics.some((m) => m.name.startsWith('db.client.') && m.points?.length > 0), 'no database metric over OTLP');

    assert.equal((await get(`${app.url}/query`)).status, 200);
    await receiver.waitFor(() => pgSpans().length > 0);
    const duration = (await dbSeries()).filter((s) => s.name === 'db_client_operation_duration_seconds_count');
    assert.deepEqual(duration.map((s) => s.value), [1], 'the app\'s one query, and only it, is counted');
    assert.ok((await dbSeries()).filter((s) => s.name === 'db_client_connection_count').every((s) => s.labels.db_client_connection_pool_name === '127.0.0.1:5432/test'));
    assert.ok((await clientOperations()).some((o) => /SELECT/.test(o.operation)));
  } finally {
    await app.stop();
    await receiver.close();
  }
});
