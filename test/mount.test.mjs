// The endpoints inside the application: OTELKIT_MOUNT_ROUTES on a plain node:http app,
// and monitoringHandler() in Express, Fastify and Koa apps. The app's own routes are
// untouched, and a storm of monitoring calls does not stop the app from answering.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { startApp, fixture, freePort, get } from './helpers/app.mjs';
import { REAL_DATABASE_URL, REAL_REDIS_URL, assertHealthy } from './helpers/health.mjs';

const require = createRequire(import.meta.url);

async function withApp(file, env, fn) {
  const adminPort = await freePort();
  const app = await startApp(fixture(file), { env: { OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1', OTEL_EXPORTER_PROMETHEUS_PORT: String(adminPort), ...env } });
  try {
    await fn(app, `http://127.0.0.1:${adminPort}`);
  } finally {
    await app.stop();
  }
}

/** The endpoints every mounting serves, with the fields of docs/ENDPOINTS.md. */
async function assertEndpoints(base) {
  const health = await get(`${base}/api/health`);
  assert.equal(health.status, 200, `${base}/api/health: ${health.text}`);
  assert.deepEqual(Object.keys(health.json).sort(), ['service', 'service_instance_id', 'service_version', 'status', 'uptime_seconds']);
  const detailed = await get(`${base}/api/health/detailed`);
  assert.equal(detailed.status, 200, detailed.text);
  assert.deepEqual(Object.keys(detailed.json).sort(), ['checks', 'status', 'timestamp']);
  assert.equal(detailed.json.checks.database.status, 'ok');
  assert.equal((await get(`${base}/api/health/live`)).status, 200);
  assert.deepEqual(Object.keys((await get(`${base}/api/health/resilience`)).json).sort(), ['circuit_breakers', 'retries']);
  assert.equal((await get(`${base}/api/health/database`)).json.status, 'ok');
  const metrics = await get(`${base}/api/metrics`);
  assert.deepEqual(Object.keys(metrics.json).sort(), ['application', 'process', 'system']);
  assert.ok('requests_by_status' in metrics.json.application && 'open_fds' in metrics.json.process);
  const prom = await get(`${base}/api/metrics/prometheus`);
  assert.match(prom.headers.get('content-type'), /^text\/plain/);
  assert.match(prom.text, /# TYPE http_server_request_duration_seconds histogram/);
  const unknown = await get(`${base}/api/health/nope`);
  assert.deepEqual([unknown.status, unknown.json.error], [404, 'not_found']);
  const post = await fetch(`${base}/api/health`, { method: 'POST' });
  assert.deepEqual([post.status, (await post.json()).error], [405, 'method_not_allowed']);
}

test('OTELKIT_MOUNT_ROUTES=true: a plain node:http app answers /api/health* and /api/metrics*, everything else is the app', async () => {
  await withApp('cjs-app.js', { OTELKIT_MOUNT_ROUTES: 'true', DATABASE_URL: REAL_DATABASE_URL }, async (app) => {
    await assertEndpoints(app.url);
    for (const path of ['/', '/api/healthz', '/api/metricsx', '/metrics', '/api/other']) {
      assert.equal((await get(`${app.url}${path}`)).text, 'hello', `${path} stays the app's`);
    }
    const r = await get(`${app.url}/api/health`);
    assert.ok(r.headers.get('x-request-id'), 'mounted answers are requests of the app like any other');
  });
  await withApp('cjs-app.js', {}, async (app) => {
    assert.equal((await get(`${app.url}/api/health`)).text, 'hello', 'not mounted unless asked for');
  });
});

for (const [framework, file] of [['Express', 'monitoring-express.js'], ['Fastify', 'monitoring-fastify.js'], ['Koa', 'monitoring-koa.js']]) {
  test(`monitoringHandler() in ${framework}: the endpoints, and the app's own routes untouched`, async () => {
    await withApp(file, { DATABASE_URL: REAL_DATABASE_URL }, async (app) => {
      await assertEndpoints(app.url);
      assert.deepEqual((await get(`${app.url}/hello`)).json, { hello: framework.toLowerCase() });
      assert.deepEqual((await get(`${app.url}/api/own`)).json, { own: true });
      assert.equal((await get(`${app.url}/metrics`)).status, 200, 'the whole admin table');
      if (framework !== 'Koa') {
        const prefixed = await get(`${app.url}/ops/api/health/detailed`);
        assert.equal(prefixed.status, 200);
        assertHealthy(prefixed.json, assert);
      }
      if (framework === 'Fastify') {
        assert.deepEqual((await get(`${app.url}/api/health/ready`)).json, { own_ready: true }, "the app's own route wins");
        assert.equal((await get(`${app.url}/ops/api/health/ready`)).json.status, 'ok');
        assert.equal((await fetch(`${app.url}/api/health`, { method: 'HEAD' })).status, 200);
        assert.doesNotMatch(app.stderr(), /not registered/);
      }
    });
  });
}

test('200 concurrent /api/metrics and /api/health/detailed calls: the app keeps answering, one probe connection', async () => {
  const { Client } = require('pg');
  await withApp('cjs-app.js', { OTELKIT_MOUNT_ROUTES: 'true', DATABASE_URL: REAL_DATABASE_URL, REDIS_URL: REAL_REDIS_URL, OTELKIT_HEALTH_CACHE_MS: '200', OTELKIT_HEALTH_TIMEOUT_MS: '10000' }, async (app) => {
    const storm = [];
    for (let i = 0; i < 200; i++) storm.push(get(`${app.url}/api/metrics`), get(`${app.url}/api/health/detailed`));
    const own = [];
    for (let i = 0; i < 50; i++) own.push(get(`${app.url}/`));
    const ownReplies = await Promise.all(own);
    assert.ok(ownReplies.every((r) => r.status === 200 && r.text === 'hello'));
    const stormReplies = await Promise.all(storm);
    assert.ok(stormReplies.every((r) => r.status === 200), stormReplies.filter((r) => r.status !== 200).slice(0, 3).map((r) => r.text).join("\n"));
    assert.ok(stormReplies.filter((r) => 'checks' in r.json).every((r) => r.json.checks.database.status === 'ok'));

    const pg = new Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
    await pg.connect();
    try {
      const { rows } = await pg.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1', [`otelkit-health ${app.child.pid}`]);
      assert.equal(rows[0].n, 1, 'the probe connection is there, and named');
    } finally {
      await pg.end();
    }
  });
});
