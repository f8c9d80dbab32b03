// Regression: percentiles were read at rank ⌊q·(n−1)⌋ of the sketch, so at low counts a
// p99 could be below every call of the top 1 %: 10 calls of 1 ms and one of 80 ms gave
// p99 ≈ 1 ms, a route with 3 calls and max 73 ms a p99 of a few ms. Percentiles are now
// nearest-rank (the ⌈q·n⌉-th smallest), exact while an operation has few calls; the
// slow-query statistics' p95 follows the same rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../dist/src/config.js';
import { createApmFeature } from '../../dist/src/apm/index.js';
import { createDbFeature } from '../../dist/src/db/index.js';
import { apmRoutes } from '../../dist/src/apm/routes.js';
import { dbRoutes } from '../../dist/src/db/routes.js';
import { tracing, timedSpan, seeded, request } from '../helpers/tracing.mjs';

const SERVER = 1;
const CLIENT = 2;

function setup() {
  const config = loadConfig({ OTELKIT_SLOW_QUERY_MS: '50' });
  const db = createDbFeature(config);
  const apm = createApmFeature(config);
  const { tracer } = tracing([db.processor, apm.processor], { exporter: false });
  const apmTable = apmRoutes({ stats: apm.stats, prometheus: undefined, adminToken: '' });
  const dbTable = dbRoutes({ thresholdMs: config.slowQueryMs, adminToken: '', slow: db.slow, nPlusOne: db.nPlusOne });
  const operation = async (name) => {
    const reply = await apmTable['/api/performance/apm/stats'].GET(request('GET', '/api/performance/apm/stats', { query: `operation=${name}` }));
    assert.equal(reply.status, 200);
    return reply.body.operations[0];
  };
  const slowStats = async () => (await dbTable['/api/performance/slow-queries/stats'].GET(request('GET', '/api/performance/slow-queries/stats'))).body;
  return { tracer, operation, slowStats };
}

/** The nearest-rank percentile: the ⌈q·n⌉-th smallest value. */
function nearestRank(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1];
}

test('10 calls of 1 ms and one of 80 ms: p99 and p95 are the 80 ms call, p50 1 ms', async () => {
  const { tracer, operation } = setup();
  for (let i = 0; i < 10; i++) timedSpan(tracer, 'GET /burst', 1, { kind: SERVER });
  timedSpan(tracer, 'GET /burst', 80, { kind: SERVER });
  const op = await operation('GET /burst');
  assert.equal(op.count, 11);
  assert.deepEqual([op.p50_ms, op.p95_ms, op.p99_ms, op.max_ms], [1, 80, 80, 80]);
});

test('3 calls with a maximum of 73 ms: p99 = 73 ms', async () => {
  const { tracer, operation } = setup();
  for (const ms of [2.1, 3.4, 73]) timedSpan(tracer, 'GET /three', ms, { kind: SERVER });
  const op = await operation('GET /three');
  assert.deepEqual([op.p50_ms, op.p95_ms, op.p99_ms], [3.4, 73, 73]);
});

test('every count from 1 to 300: a reported percentile is never below the nearest-rank value', async () => {
  const { tracer, operation } = setup();
  const random = seeded(7);
  const values = [];
  for (let n = 1; n <= 300; n++) {
    const ms = Math.round(Math.exp(random() * 6) * 1000) / 1000; // 1 ms … 400 ms, µs precision
    values.push(ms);
    timedSpan(tracer, 'GET /grow', ms, { kind: SERVER });
    if (n > 40 && n % 13 !== 0) continue;
    const op = await operation('GET /grow');
    for (const [q, field] of [[0.5, 'p50_ms'], [0.95, 'p95_ms'], [0.99, 'p99_ms']]) {
      const exact = nearestRank(values, q);
      // Exact while few calls are known; beyond that the sketch's 1 % relative accuracy.
      const floor = n <= 100 ? exact : exact * 0.99;
      assert.ok(op[field] >= floor - 0.0005 && op[field] <= exact * 1.01 + 0.0005, `n=${n} ${field}: served ${op[field]}, nearest rank ${exact}`);
    }
  }
});

test('slow-query statistics: p95 of 10 calls of 100 ms and one of 900 ms is the 900 ms call', async () => {
  const { tracer, slowStats } = setup();
  const attributes = { 'db.system.name': 'postgresql', 'db.namespace': 'test', 'db.query.text': 'SELECT pg_sleep(1)' };
  for (let i = 0; i < 10; i++) timedSpan(tracer, 'pg.query:SELECT test', 100, { kind: CLIENT, attributes });
  timedSpan(tracer, 'pg.query:SELECT test', 900, { kind: CLIENT, attributes });
  const body = await slowStats();
  assert.equal(body.by_fingerprint.length, 1);
  const [row] = body.by_fingerprint;
  assert.deepEqual([row.count, row.max_ms, row.p95_ms], [11, 900, 900]);
});
