// Distinct slow statements without end must not grow what otelkit keeps: the slow-query
// ring stays at OTELKIT_SLOW_QUERY_LIMIT records, per-statement statistics at their cap,
// memory flat. End to end against the real PostgreSQL (every query is "slow" with
// OTELKIT_SLOW_QUERY_MS=0), and in-process with real SDK spans for the million.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../dist/src/config.js';
import { createDbFeature } from '../../dist/src/db/index.js';
import { MAX_FINGERPRINTS } from '../../dist/src/db/slow-queries.js';
import { startApp, fixture, freePort, get, STEADY_HEAP } from '../helpers/app.mjs';
import { parseProm } from '../helpers/prom.mjs';
import { rssMb } from '../helpers/load.mjs';
import { tracing, timedSpan, heapAfterGc } from '../helpers/tracing.mjs';

const LONG = process.env.OTELKIT_LONG_TESTS === '1';
const END_TO_END = Number(process.env.OTELKIT_TEST_STATEMENTS) || (LONG ? 50_000 : 20_000);
const IN_PROCESS = LONG ? 1_000_000 : 200_000;
const LIMIT = 1000;
const CLIENT = 2;

test(`${END_TO_END.toLocaleString('en')} distinct slow statements through the real PostgreSQL: ring at ${LIMIT}, statistics capped, RSS flat`, async () => {
  const promPort = await freePort();
  const app = await startApp(fixture('statements-app.js'), {
    nodeArgs: STEADY_HEAP,
    env: { OTEL_EXPORTER_PROMETHEUS_PORT: String(promPort), OTELKIT_SLOW_QUERY_MS: '0', OTELKIT_SLOW_QUERY_LIMIT: String(LIMIT) },
  });
  const admin = `http://127.0.0.1:${promPort}`;
  try {
    assert.equal((await get(`${app.url}/flood?from=0&n=3000`)).text, 'done'); // warm-up: ring and caches full
    const rssBefore = rssMb(app.child.pid);
    const started = performance.now();
    const step = 10_000;
    for (let from = 3000; from < 3000 + END_TO_END; from += step) {
      assert.equal((await get(`${app.url}/flood?from=${from}&n=${Math.min(step, 3000 + END_TO_END - from)}`)).text, 'done');
    }
    const seconds = (performance.now() - started) / 1000;
    const rssAfter = rssMb(app.child.pid);

    const list = (await get(`${admin}/api/performance/slow-queries?limit=1000`)).json;
    assert.equal(list.threshold_ms, 0);
    assert.equal(list.queries.length, LIMIT, 'the ring holds the newest OTELKIT_SLOW_QUERY_LIMIT records');
    assert.ok(list.queries.every((q) => /^SELECT \? AS c\d+$/.test(q.statement)), 'values normalised away');
    // Records go in as statements end, and 8 connections finish out of order (a statement
    // whose connection stalls can end after many later ones), so what is guaranteed is: newest
    // first by time; the last statement issued is kept (at most 7 others end after it); and
    // apart from at most 8 that were in flight when the oldest record ended, the records are
    // the statements issued last.
    const times = list.queries.map((q) => Date.parse(q.timestamp));
    assert.ok(times.every((t, k) => k === 0 || t <= times[k - 1]), 'newest first');
    const indexes = list.queries.map((q) => Number(/c(\d+)$/.exec(q.statement)[1]));
    const last = 3000 + END_TO_END - 1;
    assert.ok(indexes.includes(last), `the last statement issued (${last}) is kept`);
    const recent = indexes.filter((i) => i > last - LIMIT).length;
    assert.ok(recent >= LIMIT - 8, `${recent} of ${LIMIT} records are of the last ${LIMIT} statements issued`);
    const stats = (await get(`${admin}/api/performance/slow-queries/stats`)).json;
    assert.ok(stats.total >= 3000 + END_TO_END, `total counts every slow query (${stats.total})`);
    assert.equal(stats.by_fingerprint.length, MAX_FINGERPRINTS + 1, 'fingerprints capped, the rest under "other"');
    const other = stats.by_fingerprint.find((f) => f.fingerprint === 'other');
    assert.ok(other.count >= 3000 + END_TO_END - MAX_FINGERPRINTS);
    const series = parseProm((await get(`${admin}/metrics`)).text).filter((s) => s.name === 'otelkit_db_slow_queries_total');
    assert.ok(series.length >= 1 && series.length <= 3, `slow-query series: ${series.length}`);
    const ops = (await get(`${admin}/api/performance/apm/stats`)).json.operations;
    assert.ok(ops.length < 20, `${ops.length} APM operations`);
    const growth = rssAfter - rssBefore;
    console.log(`# slow statements end to end: ${END_TO_END} distinct (after 3000 warm-up) in ${seconds.toFixed(1)} s (${(END_TO_END / seconds).toFixed(0)}/s); `
      + `ring ${list.queries.length}/${LIMIT}, fingerprint statistics ${stats.by_fingerprint.length}, slow-query series ${series.length}, APM operations ${ops.length}; `
      + `RSS ${rssBefore.toFixed(1)} → ${rssAfter.toFixed(1)} MiB (${growth >= 0 ? '+' : ''}${growth.toFixed(1)})`);
    assert.ok(growth < 50, `RSS grew ${growth.toFixed(1)} MiB`);
  } finally {
    await app.stop();
  }
});

test(`${IN_PROCESS.toLocaleString('en')} distinct slow statements as real SDK spans in-process: ring at ${LIMIT}, heap flat`, () => {
  const db = createDbFeature(loadConfig({ OTELKIT_SLOW_QUERY_LIMIT: String(LIMIT) }));
  const { tracer } = tracing([db.processor], { exporter: false });
  const attrs = (i) => ({ 'db.system.name': 'postgresql', 'db.namespace': 'test', 'db.query.text': `SELECT ${i} AS c${i} FROM t${i % 97} WHERE k = '${i}'` });
  for (let i = 0; i < 5000; i++) timedSpan(tracer, 'pg.query:SELECT test', 150, { kind: CLIENT, attributes: attrs(i) });
  const before = heapAfterGc();
  const started = performance.now();
  for (let i = 5000; i < 5000 + IN_PROCESS; i++) timedSpan(tracer, 'pg.query:SELECT test', 150, { kind: CLIENT, attributes: attrs(i) });
  const seconds = (performance.now() - started) / 1000;
  const after = heapAfterGc();
  const records = db.slow.list(10_000);
  assert.equal(records.length, LIMIT);
  assert.equal(records[0].statement, `SELECT ? AS c${5000 + IN_PROCESS - 1} FROM t${(5000 + IN_PROCESS - 1) % 97} WHERE k = ?`);
  const stats = db.slow.stats();
  assert.equal(stats.total, 5000 + IN_PROCESS);
  assert.equal(stats.by_fingerprint.length, MAX_FINGERPRINTS + 1);
  const heap = (after.heapUsed - before.heapUsed) / 1048576;
  const rss = (after.rss - before.rss) / 1048576;
  console.log(`# slow statements in-process: ${IN_PROCESS} distinct spans in ${seconds.toFixed(1)} s (${(IN_PROCESS / seconds / 1000).toFixed(0)}k/s); ring ${records.length}/${LIMIT}, `
    + `fingerprints ${stats.by_fingerprint.length}; heap after GC ${heap >= 0 ? '+' : ''}${heap.toFixed(1)} MiB, RSS ${rss >= 0 ? '+' : ''}${rss.toFixed(1)} MiB`);
  assert.ok(heap < 20, `heap grew ${heap.toFixed(1)} MiB`);
});
