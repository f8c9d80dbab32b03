// The README's first command: the demo service under the SDK, with and without its
// database and cache reachable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, freePort, get, ROOT } from './helpers/app.mjs';

const DEMO = `${ROOT}examples/demo/server.js`;

// What `npm run demo` sets unless they are set already.
const DEFAULTS = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test', REDIS_URL: 'redis://127.0.0.1:6379' };

async function startDemo(env) {
  const port = await freePort();
  const admin = await freePort();
  const app = await startApp(DEMO, {
    env: { ...DEFAULTS, PORT: String(port), OTEL_EXPORTER_PROMETHEUS_PORT: String(admin), ...env },
    readyPattern: /demo listening on http:\/\/localhost:(\d+)/,
  });
  return { app, url: `http://127.0.0.1:${port}`, admin: `http://127.0.0.1:${admin}` };
}

test('demo with PostgreSQL and Redis: every route answers as designed, telemetry is served', async () => {
  const { app, url, admin } = await startDemo({});
  try {
    assert.equal((await get(`${url}/`)).status, 200);
    assert.equal((await get(`${url}/users/3`)).json.id, 3);
    assert.equal((await get(`${url}/cache/greeting`)).status, 200);
    assert.equal((await get(`${url}/fail`)).status, 500);
    assert.equal((await get(`${url}/slow`)).status, 200);
    assert.equal((await get(`${url}/orders`)).json.count, 12);
    assert.equal((await get(`${url}/upstream`)).json.upstream.id, 2);
    const metrics = await get(`${admin}/metrics`);
    assert.match(metrics.text, /http_server_request_duration_seconds_count\{[^}]*http_route="\/users\/:id"/);
    const slow = await get(`${admin}/api/performance/slow-queries`);
    assert.ok(slow.json.queries.some((q) => /pg_sleep/.test(q.statement)), JSON.stringify(slow.json));
    const n1 = await get(`${admin}/api/performance/n-plus-one`);
    assert.ok(n1.json.detections.some((d) => d.route === '/orders'), JSON.stringify(n1.json));
    assert.match(app.stdout(), /try:.*\/users\/1/);
    const health = await get(`${admin}/api/health/detailed`);
    assert.equal(health.json.status, 'ok', JSON.stringify(health.json));
    assert.equal(health.json.checks.database.status, 'ok');
    assert.equal(health.json.checks.redis.status, 'ok');
    assert.equal((await get(`${admin}/api/health`)).json.service, 'otelkit-demo');
    assert.equal((await get(`${admin}/`)).status, 200, 'the status page');
  } finally {
    await app.stop();
  }
});

test('demo without PostgreSQL and Redis: it starts, their routes answer 503, the rest works', async () => {
  const closed = await freePort();
  const { app, url, admin } = await startDemo({
    DATABASE_URL: `postgres://postgres@127.0.0.1:${closed}/test`,
    REDIS_URL: `redis://127.0.0.1:${closed}`,
  });
  try {
    assert.equal((await get(`${url}/`)).status, 200);
    assert.equal((await get(`${url}/users/1`)).status, 503);
    assert.equal((await get(`${url}/cache/x`)).status, 503);
    assert.equal((await get(`${url}/fail`)).status, 500);
    assert.equal((await get(`${admin}/api/health`)).status, 200);
  } finally {
    await app.stop();
  }
});
