// End to end through the preload and a real Express + PostgreSQL app: slow-query records
// (over and under the threshold), a canary literal that appears nowhere, N+1 detection,
// APM statistics and their Prometheus names, trackQueryTime, and admin access.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, fixture, freePort, get } from './helpers/app.mjs';
import { startReceiver } from './helpers/otlp-receiver.mjs';
import { parseProm } from './helpers/prom.mjs';
import { normalizeStatement } from '../dist/src/db/normalize.js';
import { checkAdmin } from '../dist/src/server/auth.js';
import { request } from './helpers/tracing.mjs';

const CANARY = '4242-secret';
const SERVER = 2;
let app;
let receiver;
let admin;

before(async () => {
  receiver = await startReceiver();
  const promPort = await freePort();
  app = await startApp(fixture('apm-app.js'), {
    env: {
      OTEL_EXPORTER_PROMETHEUS_PORT: String(promPort),
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_METRIC_EXPORT_INTERVAL: '300',
      OTEL_SERVICE_NAME: 'apm-test',
    },
  });
  admin = `http://127.0.0.1:${promPort}`;
  await adminReady(admin);
});

after(async () => {
  await app?.stop();
  await receiver?.close();
});

/** The admin server starts listening a moment after the app may print LISTENING. */
async function adminReady(base) {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${base}/api/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`admin server at ${base} did not answer`);
}

const call = async (path, id) => {
  const res = await get(`${app.url}${path}`, id ? { 'x-request-id': id } : {});
  return res;
};

test('pg_sleep over the threshold becomes a record; under it does not; the canary appears nowhere', async () => {
  assert.equal((await call('/slow', 'req-slow-1')).json.tag, CANARY, 'the app itself still gets its value');
  assert.equal((await call('/quick', 'req-quick-1')).status, 200);
  assert.equal((await call('/bad-query', 'req-bad-1')).status, 500);
  assert.deepEqual((await call('/redis-slow', 'req-redis-1')).json, { popped: null });

  const list = await get(`${admin}/api/performance/slow-queries`);
  assert.equal(list.status, 200);
  assert.equal(list.json.threshold_ms, 100);
  const pgRecords = list.json.queries.filter((q) => q.db_system === 'postgresql');
  assert.equal(pgRecords.length, 1, list.text);
  const [q] = pgRecords;
  const expected = normalizeStatement(`SELECT pg_sleep(0.15), '${CANARY}' AS tag`, 'postgresql');
  assert.equal(q.statement, 'SELECT pg_sleep(?), ? AS tag');
  assert.equal(q.fingerprint, expected.fingerprint);
  assert.equal(q.db_name, 'test');
  assert.equal(q.operation, 'SELECT');
  assert.equal(q.request_id, 'req-slow-1');
  assert.ok(q.duration_ms >= 150 && q.duration_ms < 5000, `duration ${q.duration_ms}`);
  assert.match(q.trace_id, /^[0-9a-f]{32}$/);
  assert.match(q.span_id, /^[0-9a-f]{16}$/);
  assert.ok(!Number.isNaN(Date.parse(q.timestamp)));
  assert.equal(q.error, undefined);

  const redisRecords = list.json.queries.filter((r) => r.db_system === 'redis');
  assert.equal(redisRecords.length, 1, list.text);
  assert.equal(redisRecords[0].statement, 'BLPOP ?');
  assert.equal(redisRecords[0].operation, 'BLPOP');
  assert.equal(redisRecords[0].request_id, 'req-redis-1');
  assert.ok(redisRecords[0].duration_ms >= 190);

  const stats = await get(`${admin}/api/performance/slow-queries/stats`);
  assert.equal(stats.json.threshold_ms, 100);
  assert.equal(stats.json.total, 2);
  assert.deepEqual(Object.keys(stats.json.by_fingerprint[0]).sort(),
    ['avg_ms', 'count', 'fingerprint', 'last_seen', 'max_ms', 'p95_ms', 'request_id', 'statement', 'trace_id']);
  const shape = stats.json.by_fingerprint.find((f) => f.fingerprint === expected.fingerprint);
  assert.equal(shape?.count, 1, stats.text);
  assert.deepEqual([shape.last_seen, shape.request_id, shape.trace_id], [q.timestamp, 'req-slow-1', q.trace_id], 'the latest record of the shape');

  // Exported spans: the slow query's span belongs to its request and carries the shape only.
  const exported = await receiver.waitFor((s) => {
    const db = s.spans.find((x) => x.spanId === q.span_id);
    const bad = s.spans.find((x) => x.attributes['request.id'] === 'req-bad-1' && x.kind === SERVER);
    const badDb = bad && s.spans.find((x) => x.traceId === bad.traceId && x.attributes['db.query.text']);
    const redisSpan = s.spans.find((x) => x.attributes['db.system.name'] === 'redis' && x.name === 'blpop');
    return db && badDb && redisSpan && { db, badDb, redisSpan };
  });
  assert.equal(exported.db.traceId, q.trace_id);
  assert.equal(exported.db.attributes['db.query.text'], 'SELECT pg_sleep(?), ? AS tag');
  assert.equal(exported.badDb.status.code, 2, 'the failing query is an error span');
  assert.equal(exported.redisSpan.attributes['db.query.text'], 'BLPOP ?');

  const metrics = await get(`${admin}/metrics`);
  const slowSeries = parseProm(metrics.text).filter((s) => s.name === 'otelkit_db_slow_queries_total');
  assert.deepEqual(slowSeries.map((s) => [s.labels.db_system_name, s.labels.db_operation_name, s.value]).sort(), [['postgresql', 'SELECT', 1], ['redis', 'BLPOP', 1]], metrics.text);

  await receiver.waitFor((s) => s.metrics.some((m) => m.name === 'otelkit.db.slow_queries'));
  const everything = [
    list.text, stats.text, metrics.text,
    (await get(`${admin}/api/performance/apm/stats`)).text,
    (await get(`${admin}/api/performance/n-plus-one`)).text,
    JSON.stringify(receiver.spans), JSON.stringify(receiver.metrics), JSON.stringify(receiver.logs),
    app.stdout(), app.stderr(),
  ];
  // The whole literal: its digits alone turn up in metric values by chance (0.342425…).
  for (const [i, text] of everything.entries()) assert.ok(!text.includes(CANARY), `canary found in output #${i}: ${text.slice(text.indexOf(CANARY) - 200, text.indexOf(CANARY) + 50)}`);
});

test('N+1: a route running 12 identical statement shapes is detected once per request; one running 3 is not', async () => {
  assert.equal((await call('/orders/3', 'req-orders-3')).status, 200);
  assert.equal((await call('/orders/12', 'req-orders-12')).status, 200);
  const res = await get(`${admin}/api/performance/n-plus-one`);
  assert.equal(res.status, 200);
  assert.equal(res.json.min_repeats, 10);
  assert.equal(res.json.detections.length, 1, res.text);
  const [d] = res.json.detections;
  assert.equal(d.route, '/orders/:n');
  assert.equal(d.count, 12);
  assert.equal(d.statement, 'SELECT ? AS order_id, ? AS note');
  assert.equal(d.fingerprint, normalizeStatement(`SELECT 1 AS order_id, '${CANARY}' AS note`, 'postgresql').fingerprint);
  assert.equal(d.request_id, 'req-orders-12');
  assert.match(d.trace_id, /^[0-9a-f]{32}$/);
  assert.ok(d.total_ms > 0);

  assert.equal((await call('/orders/12', 'req-orders-12b')).status, 200);
  const again = await get(`${admin}/api/performance/n-plus-one`);
  assert.equal(again.json.detections.length, 2);
  assert.equal(again.json.detections[0].request_id, 'req-orders-12b', 'newest first');
  const series = parseProm((await get(`${admin}/metrics`)).text).filter((s) => s.name === 'otelkit_db_n_plus_one_total');
  assert.deepEqual(series.map((s) => [s.labels.http_route, s.value]), [['/orders/:n', 2]]);
  const warnings = app.output().split('\n').filter((l) => /N\+1 query pattern/.test(l));
  assert.equal(warnings.length, 1, 'logged once per route and fingerprint');
  // A log record: level, component, and the request id of the request it was seen in.
  assert.match(warnings[0], / warn +\[[^\]]*otelkit:db\] N\+1 query pattern: \/orders\/:n ran one statement 12 times/);
  assert.match(warnings[0], /"request_id":"req-orders-12"/);
});

test('APM statistics: route templates, pg operations, custom spans; Prometheus names in scope otelkit.apm', async () => {
  for (const id of [1, 2, 3]) assert.equal((await call(`/users/${id}`)).status, 200);
  assert.equal((await call('/fail')).status, 500);
  assert.deepEqual((await call('/traced')).json, { total: 5, doubled: 10 });
  const res = await get(`${admin}/api/performance/apm/stats`);
  assert.equal(res.status, 200);
  const ops = Object.fromEntries(res.json.operations.map((o) => [`${o.kind} ${o.operation}`, o]));
  assert.equal(ops['server GET /users/:id'].count, 3);
  assert.ok(!res.text.includes('/users/1'), 'never the raw path');
  assert.equal(ops['server GET /fail'].error_count, 1);
  assert.equal(ops['server GET /fail'].error_rate, 1);
  assert.ok(ops['client SELECT test'].count >= 3);
  assert.equal(ops['internal compute_total'].count, 1);
  assert.equal(ops['internal double_it'].count, 1);
  assert.deepEqual(Object.keys(ops['server GET /users/:id']), ['operation', 'kind', 'count', 'error_count', 'error_rate', 'avg_ms', 'min_ms', 'max_ms', 'p50_ms', 'p95_ms', 'p99_ms']);
  const one = await get(`${admin}/api/performance/apm/stats?operation=${encodeURIComponent('GET /users/:id')}`);
  assert.deepEqual(one.json.operations.map((o) => o.operation), ['GET /users/:id']);

  const text = (await get(`${admin}/api/performance/apm/metrics`)).text;
  const series = parseProm(text);
  const names = new Set(series.map((s) => s.name));
  assert.deepEqual([...names].filter((n) => n !== 'target_info').sort(), [
    'otelkit_apm_calls_total', 'otelkit_apm_errors_total', 'otelkit_apm_latency_seconds', 'otelkit_apm_overflowed_total', 'otelkit_apm_time_seconds_total',
  ]);
  const calls = series.find((s) => s.name === 'otelkit_apm_calls_total' && s.labels.operation === 'GET /users/:id');
  assert.equal(calls.value, 3);
  assert.equal(calls.labels.kind, 'server');
  const quantiles = series.filter((s) => s.name === 'otelkit_apm_latency_seconds' && s.labels.operation === 'GET /users/:id').map((s) => s.labels.quantile);
  assert.deepEqual(quantiles.sort(), ['0.5', '0.95', '0.99']);
  assert.equal(series.find((s) => s.name === 'otelkit_apm_errors_total' && s.labels.operation === 'GET /fail').value, 1);
  assert.ok(series.every((s) => s.name === 'target_info' || s.labels.otel_scope_name === 'otelkit.apm'));
  const all = parseProm((await get(`${admin}/metrics`)).text);
  assert.ok(all.some((s) => s.name === 'otelkit_apm_calls_total'), 'also on /metrics');
});

test('trackQueryTime records a query no instrumentation sees, with the request id', async () => {
  assert.deepEqual((await call('/tracked', 'req-tracked-1')).json, { value: 7 });
  const list = await get(`${admin}/api/performance/slow-queries?limit=1`);
  assert.equal(list.json.queries.length, 1);
  const [q] = list.json.queries;
  assert.equal(q.statement, 'legacy_report');
  assert.equal(q.request_id, 'req-tracked-1');
  assert.ok(q.duration_ms >= 125);
  assert.match(q.trace_id, /^[0-9a-f]{32}$/);
});

test('bad query parameters get 400 JSON errors', async () => {
  for (const bad of ['abc', '-1', '0', '100000', '1.5']) {
    const res = await get(`${admin}/api/performance/slow-queries?limit=${bad}`);
    assert.equal(res.status, 400, `limit=${bad}`);
    assert.equal(res.json.error, 'bad_request');
    assert.match(res.json.message, /limit/);
  }
  assert.equal((await get(`${admin}/api/performance/n-plus-one?limit=x`)).status, 400);
  assert.equal((await get(`${admin}/api/performance/apm/stats?operation=${'x'.repeat(600)}`)).status, 400);
  assert.equal((await get(`${admin}/api/performance/slow-queries?limit=2`)).json.queries.length, 2);
});

test('DELETE without a token configured: accepted from loopback; the stores are empty afterwards', async () => {
  for (const path of ['/api/performance/slow-queries', '/api/performance/apm', '/api/performance/n-plus-one']) {
    const res = await fetch(`${admin}${path}`, { method: 'DELETE' });
    assert.equal(res.status, 204, path);
  }
  assert.deepEqual((await get(`${admin}/api/performance/slow-queries`)).json.queries, []);
  assert.equal((await get(`${admin}/api/performance/slow-queries/stats`)).json.total, 0);
  assert.deepEqual((await get(`${admin}/api/performance/apm/stats`)).json.operations, []);
  assert.deepEqual((await get(`${admin}/api/performance/n-plus-one`)).json.detections, []);
});

test('without a token configured, a non-loopback client is refused with 403', () => {
  const reply = checkAdmin(request('DELETE', '/api/performance/apm', { remoteAddress: '192.0.2.7' }), '');
  assert.equal(reply.status, 403);
  assert.equal(reply.body.error, 'forbidden');
  assert.equal(checkAdmin(request('DELETE', '/x', { remoteAddress: '::ffff:127.0.0.1' }), ''), undefined);
  assert.equal(checkAdmin(request('DELETE', '/x', { remoteAddress: '::1' }), ''), undefined);
});

test('with OTELKIT_ADMIN_TOKEN set: missing or wrong token → 401, the right one → 204', async () => {
  const promPort = await freePort();
  const secured = await startApp(fixture('apm-app.js'), {
    env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(promPort), OTELKIT_ADMIN_TOKEN: 'tok-7f3a9c' },
  });
  try {
    await adminReady(`http://127.0.0.1:${promPort}`);
    const url = `http://127.0.0.1:${promPort}/api/performance/slow-queries`;
    const missing = await fetch(url, { method: 'DELETE' });
    assert.equal(missing.status, 401);
    assert.equal((await missing.json()).error, 'unauthorized');
    assert.equal((await fetch(url, { method: 'DELETE', headers: { authorization: 'Bearer wrong' } })).status, 401);
    assert.equal((await fetch(url, { method: 'DELETE', headers: { authorization: 'Basic dG9rLTdmM2E5Yw==' } })).status, 401);
    assert.equal((await fetch(url, { method: 'DELETE', headers: { authorization: 'Bearer tok-7f3a9c' } })).status, 204);
    assert.equal((await fetch(`http://127.0.0.1:${promPort}/api/performance/apm`, { method: 'DELETE', headers: { authorization: 'bearer tok-7f3a9c' } })).status, 204);
    assert.equal((await get(url)).status, 200, 'reading needs no token');
    assert.ok(!secured.stderr().includes('tok-7f3a9c'));
  } finally {
    await secured.stop();
  }
});
