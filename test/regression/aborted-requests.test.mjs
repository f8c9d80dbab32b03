// Requests whose client gave up (a timeout, a load balancer cutting the connection) are
// recorded: a span, a duration and an APM count each, with error.type "aborted".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startApp, fixture, freePort, get } from '../helpers/app.mjs';
import { parseProm } from '../helpers/prom.mjs';

function abortAfter(port, path, ms) {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false });
    req.on('error', () => resolve());
    req.end();
    setTimeout(() => {
      req.destroy();
      resolve();
    }, ms);
  });
}

test('10 requests aborted by their clients and 3 answered: 13 recorded', async () => {
  const admin = await freePort();
  const app = await startApp(fixture('routes-app.js'), { readyPattern: /LISTENING \d+ \d+ \d+ (\d+)/, env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(admin) } });
  try {
    await Promise.all(Array.from({ length: 10 }, () => abortAfter(app.port, '/slow', 60)));
    for (let i = 0; i < 3; i++) assert.equal((await get(`${app.url}/slow`)).text, 'slow');
    await new Promise((r) => setTimeout(r, 600)); // the aborted handlers finish their timers
    const apm = (await get(`http://127.0.0.1:${admin}/api/performance/apm/stats`)).json.operations;
    assert.equal(apm.find((o) => o.operation === 'GET /slow')?.count, 13, JSON.stringify(apm));
    const series = parseProm((await get(`http://127.0.0.1:${admin}/metrics`)).text).filter((s) => s.name === 'http_server_request_duration_seconds_count');
    const aborted = series.filter((s) => s.labels.error_type === 'aborted').reduce((n, s) => n + s.value, 0);
    const answered = series.filter((s) => s.labels.http_response_status_code === '200' && s.labels.error_type === undefined).reduce((n, s) => n + s.value, 0);
    assert.equal(aborted, 10, JSON.stringify(series));
    assert.ok(answered >= 3);
    const lines = app.stdout().split('\n').filter((l) => /GET \/slow aborted by the client/.test(l));
    assert.equal(lines.length, 10, 'one access line each');
    const sum = parseProm((await get(`http://127.0.0.1:${admin}/metrics`)).text).find((s) => s.name === 'http_server_request_duration_seconds_sum' && s.labels.error_type === 'aborted');
    assert.ok(sum.value >= 10 * 0.03 && sum.value < 10 * 0.4, `aborted requests last until the client went (${sum.value} s for 10)`);
  } finally {
    await app.stop();
  }
});
