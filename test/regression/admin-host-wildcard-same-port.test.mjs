// Regression: OTELKIT_ADMIN_HOST=0.0.0.0 without OTELKIT_ADMIN_PORT (so on the Prometheus
// port) started a second, /metrics-only server on localhost:<same port>, which cannot
// bind next to the wildcard one: every start printed "admin endpoints not served: cannot
// listen … EADDRINUSE" although the admin endpoints were served. The wildcard server
// already answers localhost, so no second server is started; a second server that does
// fail names itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { networkInterfaces } from 'node:os';
import { startApp, fixture, freePort, get } from '../helpers/app.mjs';

const outside = Object.values(networkInterfaces()).flat().find((a) => a && !a.internal && a.family === 'IPv4')?.address;

test('admin on 0.0.0.0 and the Prometheus port: no warning, /metrics and the admin routes answer on loopback', async () => {
  const port = await freePort();
  const app = await startApp(fixture('cjs-app.js'), { env: { OTELKIT_ADMIN_HOST: '0.0.0.0', OTEL_EXPORTER_PROMETHEUS_PORT: String(port) } });
  try {
    await new Promise((r) => setTimeout(r, 300));
    assert.doesNotMatch(app.stderr(), /cannot listen/);
    assert.equal((await get(`http://127.0.0.1:${port}/metrics`)).status, 200);
    assert.equal((await get(`http://127.0.0.1:${port}/api/health/ready`)).status, 200);
    if (outside) assert.equal((await fetch(`http://${outside}:${port}/api/performance/apm`, { method: 'DELETE' })).status, 403);
  } finally {
    await app.stop();
  }
});

test('admin on 127.0.0.1, Prometheus on localhost, one port: the warning names the separate Prometheus endpoint', async () => {
  const port = await freePort();
  const app = await startApp(fixture('cjs-app.js'), { env: { OTELKIT_ADMIN_HOST: '127.0.0.1', OTEL_EXPORTER_PROMETHEUS_PORT: String(port) } });
  try {
    await new Promise((r) => setTimeout(r, 300));
    const lines = app.output().split('\n').filter((l) => /cannot listen/.test(l));
    // localhost resolves to 127.0.0.1 here (the second bind fails) or to ::1 (it succeeds).
    assert.ok(lines.every((l) => /the separate Prometheus endpoint not served/.test(l)), app.stderr());
    assert.equal((await get(`http://127.0.0.1:${port}/metrics`)).status, 200);
  } finally {
    await app.stop();
  }
});
