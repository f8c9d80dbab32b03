// The OTLP exporters' own POSTs are not the app's outgoing calls: no client span, no
// http.client.request.duration series, no APM operation for them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, fixture, freePort, get } from '../helpers/app.mjs';
import { startReceiver } from '../helpers/otlp-receiver.mjs';
import { parseProm } from '../helpers/prom.mjs';

test('exporting spans, metrics and logs leaves no trace of itself in the app\'s telemetry', async () => {
  const receiver = await startReceiver();
  const admin = await freePort();
  const app = await startApp(fixture('conformance-app.js'), {
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '50', OTEL_METRIC_EXPORT_INTERVAL: '200', OTEL_EXPORTER_PROMETHEUS_PORT: String(admin) },
  });
  try {
    await get(`${app.url}/call`); // one outgoing call of the app's own
    await receiver.waitFor((s) => s.requests.filter((r) => r.path === '/v1/metrics').length >= 3 && s.requests.some((r) => r.path === '/v1/traces'));
    const series = parseProm((await get(`http://127.0.0.1:${admin}/metrics`)).text).filter((s) => s.name === 'http_client_request_duration_seconds_count');
    assert.deepEqual(series.filter((s) => s.labels.server_port === String(receiver.port)), [], 'no series for the collector');
    assert.equal(series.filter((s) => s.labels.http_request_method === 'GET').length, 1, 'the app\'s own call is there');
    assert.ok(!receiver.spans.some((s) => s.kind === 3 && String(s.attributes['url.full'] ?? '').startsWith(receiver.url)), 'no client span of an export');
    const apm = (await get(`http://127.0.0.1:${admin}/api/performance/apm/stats`)).json.operations;
    assert.ok(!apm.some((o) => o.operation.startsWith('POST')), JSON.stringify(apm.map((o) => o.operation)));
  } finally {
    await app.stop();
    await receiver.close();
  }
});
