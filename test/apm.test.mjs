// APM statistics from real SDK spans: percentiles against exact values, exact counts and
// error rates, reset, the operation cap under 1,000,000 distinct names, and a processor
// error that never reaches the code ending the span.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../dist/src/config.js';
import { createApmFeature } from '../dist/src/apm/index.js';
import { createDbFeature } from '../dist/src/db/index.js';
import { apmRoutes } from '../dist/src/apm/routes.js';
import { tracing, timedSpan, captureDiag, heapAfterGc, seeded, request } from './helpers/tracing.mjs';

const SERVER = 1;
const CLIENT = 2;

function setup(env = {}, options = {}) {
  const config = loadConfig(env);
  const db = createDbFeature(config);
  const apm = createApmFeature(config);
  const { tracer, exporter } = tracing([db.processor, apm.processor], options);
  const routes = apmRoutes({ stats: apm.stats, prometheus: undefined, adminToken: config.adminToken });
  const stats = async (query = '') => {
    const reply = await routes['/api/performance/apm/stats'].GET(request('GET', '/api/performance/apm/stats', { query }));
    assert.equal(reply.status, 200);
    return reply.body;
  };
  return { config, db, apm, tracer, exporter, routes, stats };
}

/** The nearest-rank percentile of the sorted values: the ⌈q·n⌉-th smallest. */
function exactQuantile(sorted, q) {
  return sorted[Math.ceil(q * sorted.length) - 1];
}

test('percentiles are within 2 % of the exact values; counts, errors and rates are exact', async () => {
  const { tracer, stats } = setup();
  const random = seeded(42);
  const durations = [];
  let errors = 0;
  for (let i = 0; i < 20_000; i++) {
    // Log-normal-ish latencies from ~0.1 ms to a few seconds.
    const ms = Math.exp(random() * 4 + random() * 4 - 2) * 0.8;
    const error = random() < 0.07;
    if (error) errors++;
    durations.push(ms);
    timedSpan(tracer, 'GET /users/:id', ms, { kind: SERVER, error });
  }
  const body = await stats('operation=GET /users/:id');
  assert.equal(body.operations.length, 1);
  const [op] = body.operations;
  assert.equal(op.operation, 'GET /users/:id');
  assert.equal(op.kind, 'server');
  assert.equal(op.count, 20_000);
  assert.equal(op.error_count, errors);
  assert.equal(op.error_rate, errors / 20_000);
  const sorted = [...durations].sort((a, b) => a - b);
  const sum = durations.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(op.avg_ms - sum / 20_000) < 0.001, `avg ${op.avg_ms}`);
  assert.ok(Math.abs(op.min_ms - sorted[0]) < 0.001);
  assert.ok(Math.abs(op.max_ms - sorted.at(-1)) < 0.001);
  for (const [q, field] of [[0.5, 'p50_ms'], [0.95, 'p95_ms'], [0.99, 'p99_ms']]) {
    const exact = exactQuantile(sorted, q);
    const error = Math.abs(op[field] - exact) / exact;
    assert.ok(error <= 0.02, `${field}: sketch ${op[field]} vs exact ${exact} (${(error * 100).toFixed(2)} %)`);
  }
  assert.ok(!Number.isNaN(Date.parse(body.since)));
});

test('operations: server spans by route template, pg spans by operation and database, custom spans by name', async () => {
  const { tracer, stats } = setup();
  timedSpan(tracer, 'GET /users/:id', 3, { kind: SERVER, attributes: { 'http.route': '/users/:id', 'url.path': '/users/17' } });
  timedSpan(tracer, 'pg.query:SELECT test', 1, { kind: CLIENT, attributes: { 'db.system.name': 'postgresql', 'db.namespace': 'test', 'db.query.text': 'SELECT 1' } });
  timedSpan(tracer, 'get', 1, { kind: CLIENT, attributes: { 'db.system.name': 'redis', 'db.operation.name': 'get', 'db.query.text': 'get user:17' } });
  timedSpan(tracer, 'pg-pool.connect', 1, { kind: CLIENT, attributes: { 'db.system.name': 'postgresql', 'db.namespace': 'test' } });
  timedSpan(tracer, 'get_user_profile', 2, { attributes: { user_type: 'premium' } });
  const names = (await stats()).operations.map((o) => `${o.kind} ${o.operation}`).sort();
  assert.deepEqual(names, ['client GET redis', 'client SELECT test', 'client pg-pool.connect', 'internal get_user_profile', 'server GET /users/:id']);
  assert.deepEqual((await stats('operation=nope')).operations, [], 'an unknown operation is an empty list');
});

test('DELETE /api/performance/apm resets the statistics (loopback, no token configured)', async () => {
  const { tracer, stats, routes } = setup();
  for (let i = 0; i < 5; i++) timedSpan(tracer, 'work', 1);
  assert.equal((await stats()).operations[0].count, 5);
  const before = (await stats()).since;
  await new Promise((r) => setTimeout(r, 5));
  const reply = await routes['/api/performance/apm'].DELETE(request('DELETE', '/api/performance/apm'));
  assert.equal(reply.status, 204);
  const after = await stats();
  assert.deepEqual(after.operations, []);
  assert.ok(Date.parse(after.since) > Date.parse(before));
  timedSpan(tracer, 'work', 2);
  assert.equal((await stats()).operations[0].count, 1);
});

test('1,000,000 distinct operations: capped, overflow counted under "other", one warning, bounded memory', async (t) => {
  const lines = captureDiag();
  const { tracer, apm, stats } = setup({ OTELKIT_APM_MAX_OPERATIONS: '500' }, { exporter: false });
  const before = heapAfterGc();
  for (let i = 0; i < 1_000_000; i++) {
    const span = tracer.startSpan(`op-${i}`);
    span.end();
  }
  const after = heapAfterGc();
  const body = await stats();
  const other = body.operations.filter((o) => o.operation === 'other');
  assert.equal(body.operations.length, 501, 'the cap plus one "other" bucket');
  assert.equal(other.length, 1);
  assert.equal(other[0].count, 1_000_000 - 500);
  assert.equal(apm.stats.overflowed, 1_000_000 - 500);
  assert.equal(lines.filter((l) => /operation limit reached/.test(l)).length, 1, lines.join('\n'));
  const heapGrowth = after.heapUsed - before.heapUsed;
  t.diagnostic(`heap ${(heapGrowth / 1048576).toFixed(1)} MiB, rss ${((after.rss - before.rss) / 1048576).toFixed(1)} MiB after 1,000,000 distinct operations`);
  assert.ok(heapGrowth < 40 * 1048576, `heap grew ${heapGrowth} bytes`);
});

test('a processor error never reaches the code that ends the span; later spans are still counted', async () => {
  const lines = captureDiag();
  const { tracer, stats, exporter } = setup();
  const span = tracer.startSpan('pg.query:SELECT test', { kind: CLIENT, attributes: { 'db.system.name': 'postgresql' } });
  // A poisoned statement: reading it throws inside otelkit's processors.
  Object.defineProperty(span.attributes, 'db.query.text', { get() { throw new Error('poisoned attribute'); }, enumerable: true, configurable: true });
  assert.doesNotThrow(() => span.end());
  // A span whose kind lookup throws reaches the APM processor too.
  const weird = tracer.startSpan('weird');
  Object.defineProperty(weird, 'name', { get() { throw new Error('poisoned name'); } });
  assert.doesNotThrow(() => weird.end());
  for (let i = 0; i < 3; i++) timedSpan(tracer, 'after', 1);
  assert.equal((await stats('operation=after')).operations[0].count, 3);
  assert.ok(lines.some((l) => /otelkit:db onEnd(ing)? failed/.test(l) && /poisoned attribute/.test(l)), lines.join('\n'));
  assert.ok(lines.some((l) => /otelkit:apm onEnd failed/.test(l)), lines.join('\n'));
  assert.ok(exporter.getFinishedSpans().length >= 4, 'the exporter after the processors still got the spans');
});
