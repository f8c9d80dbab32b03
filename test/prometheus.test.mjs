// The Prometheus endpoint: per-route request metrics (also with traces sampled out),
// and a port already in use costs a warning, never the app.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { startApp, fixture, freePort, get } from './helpers/app.mjs';
import { parseProm } from './helpers/prom.mjs';

for (const sampler of ['parentbased_always_on', 'always_off']) {
  test(`http_server_request_duration_seconds carries http_route (sampler ${sampler})`, async () => {
    const promPort = await freePort();
    const app = await startApp(fixture('express-app.js'), {
      env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(promPort), OTEL_TRACES_SAMPLER: sampler },
    });
    try {
      for (const id of [1, 2, 3]) assert.equal((await get(`${app.url}/users/${id}`)).status, 200);
      assert.equal((await get(`${app.url}/api/items/x`)).status, 200);
      assert.equal((await get(`${app.url}/fail`)).status, 500);
      const scrape = await get(`http://127.0.0.1:${promPort}/metrics`);
      assert.equal(scrape.status, 200);
      assert.match(scrape.headers.get('content-type'), /text\/plain/);
      const series = parseProm(scrape.text).filter((s) => s.name === 'http_server_request_duration_seconds_count');
      const byRoute = Object.fromEntries(series.map((s) => [`${s.labels.http_route} ${s.labels.http_response_status_code}`, s.value]));
      assert.equal(byRoute['/users/:id 200'], 3, scrape.text);
      assert.equal(byRoute['/api/items/:item 200'], 1);
      assert.equal(byRoute['/fail 500'], 1);
      assert.ok(series.every((s) => !/\/users\/\d/.test(s.labels.http_route ?? '')), 'never the raw path');
      const fail = series.find((s) => s.labels.http_route === '/fail');
      assert.equal(fail.labels.error_type, '500');
    } finally {
      await app.stop();
    }
  });
}

test('Prometheus port already in use: one warning, the app serves', async () => {
  const blocker = createServer();
  await new Promise((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const { port } = blocker.address();
  try {
    const app = await startApp(fixture('cjs-app.js'), { env: { OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1', OTEL_EXPORTER_PROMETHEUS_PORT: String(port) } });
    try {
      assert.equal((await get(`${app.url}/`)).text, 'hello');
      await new Promise((r) => setTimeout(r, 200));
      const lines = app.output().split('\n').filter((l) => l.includes(`${port}`) && /cannot listen/.test(l));
      assert.equal(lines.length, 1, app.stderr());
      assert.match(lines[0], /EADDRINUSE/);
    } finally {
      await app.stop();
    }
  } finally {
    blocker.close();
  }
});
