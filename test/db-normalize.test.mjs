// Statement normalisation and fingerprints: values never survive, statements differing
// only in values share a fingerprint, different shapes do not; memory stays bounded
// under 1,000,000 distinct statements.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeStatement, MAX_STATEMENT } from '../dist/src/db/normalize.js';
import { loadConfig } from '../dist/src/config.js';
import { createDbFeature } from '../dist/src/db/index.js';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { tracing, heapAfterGc, request } from './helpers/tracing.mjs';

const CANARY = '4242-secret';
const pg = (text) => normalizeStatement(text, 'postgresql');

test('every literal form is removed', () => {
  const cases = [
    [`SELECT pg_sleep(0.15), '${CANARY}'`, 'SELECT pg_sleep(?), ?'],
    [`SELECT * FROM t WHERE a = 'it''s ${CANARY}' AND b = E'\\'${CANARY}'`, 'SELECT * FROM t WHERE a = ? AND b = ?'],
    [`SELECT $$${CANARY}$$, $tag$ '${CANARY}' $tag$`, 'SELECT ?, ?'],
    [`SELECT 4242, -17, 3.5e10, .5, 0xFF, TRUE, false FROM t`, 'SELECT ?, ?, ?, ?, ?, ?, ? FROM t'],
    [`SELECT a - 4242 FROM t WHERE x = -4242`, 'SELECT a - ? FROM t WHERE x = ?'],
    [`SELECT N'${CANARY}', B'1010', X'1F', U&'d\\0061t', _utf8'${CANARY}', interval '4242 days'`, 'SELECT ?, ?, ?, ?, ?, interval ?'],
    [`SELECT 1 -- ${CANARY}\nFROM t /* ${CANARY} /* nested ${CANARY} */ still */ WHERE id = $1`, 'SELECT ? FROM t WHERE id = $1'],
    [`SELECT * FROM t WHERE id IN ($1, $2, $3) AND x = -$4`, 'SELECT * FROM t WHERE id IN (?) AND x = -$4'],
    [`SELECT * FROM t WHERE id IN (1, 2, 3, 4242) AND y = ANY(ARRAY[4, 5])`, 'SELECT * FROM t WHERE id IN (?) AND y = ANY(ARRAY[?])'],
    [`INSERT INTO t (a, b) VALUES (1, '${CANARY}'), (2, 'y'),(3,'z')`, 'INSERT INTO t (a, b) VALUES (?, ?)'],
    [`SELECT   a,\n\t b  FROM   "Table ${'x'}"`, 'SELECT a, b FROM "Table x"'],
    [`SELECT '${CANARY}`, 'SELECT /* text removed: unbalanced quotes */'], // quotes that do not pair up: fail closed
  ];
  for (const [input, expected] of cases) {
    const n = pg(input);
    assert.equal(n.statement, expected, input);
    assert.ok(!n.statement.includes('4242') && !n.statement.includes('secret'), input);
  }
  assert.equal(pg('select 1').operation, 'SELECT');
  assert.equal(pg('  (SELECT 1) UNION (SELECT 2)').operation, 'SELECT');
});

test('MySQL: double quotes and # comments; Redis: the command only; unknown systems: "…" is a value', () => {
  assert.equal(normalizeStatement(`SELECT "${CANARY}", \`col\` FROM t # ${CANARY}\nWHERE a = 'x\\'${CANARY}'`, 'mysql').statement, 'SELECT ?, `col` FROM t WHERE a = ?');
  assert.equal(normalizeStatement(`get user:${CANARY}`, 'redis').statement, 'GET ?');
  assert.equal(normalizeStatement('ping', 'redis').statement, 'PING');
  assert.equal(normalizeStatement(`{"email":"${CANARY}@x.y","age":42}`, 'mongodb').statement, '{?:?,?:?}');
});

test('statements differing only in literals share a fingerprint; different shapes do not', () => {
  const same = [
    "SELECT * FROM users WHERE id = 1 AND name = 'a'",
    "SELECT * FROM users WHERE id = 99999 AND name = 'somebody else'",
    "SELECT  *  FROM users -- who\n WHERE id = 7 AND name = 'x'",
  ].map((s) => pg(s).fingerprint);
  assert.equal(new Set(same).size, 1);
  assert.match(same[0], /^[0-9a-f]{16}$/);
  assert.equal(pg('SELECT * FROM t WHERE id IN (1, 2)').fingerprint, pg('SELECT * FROM t WHERE id IN (3, 4, 5, 6, 7)').fingerprint);
  assert.equal(pg('INSERT INTO t VALUES (1, 2)').fingerprint, pg('INSERT INTO t VALUES (3, 4), (5, 6)').fingerprint);
  assert.equal(pg('SELECT * FROM t WHERE id IN ($1, $2)').fingerprint, pg('SELECT * FROM t WHERE id IN ($1, $2, $3)').fingerprint);
  assert.equal(pg('SELECT * FROM t WHERE id = $1').statement, 'SELECT * FROM t WHERE id = $1', 'placeholders are not values: kept');
  const different = [
    'SELECT * FROM users WHERE id = 1',
    'SELECT * FROM orders WHERE id = 1',
    'SELECT id FROM users WHERE id = 1',
    'SELECT * FROM users WHERE email = 1',
    'DELETE FROM users WHERE id = 1',
    'SELECT * FROM users WHERE id = 1 AND name = 2',
  ].map((s) => pg(s).fingerprint);
  assert.equal(new Set(different).size, different.length);
});

test('length is capped', () => {
  const long = `SELECT ${Array.from({ length: 3000 }, (_, i) => `col_${i}`).join(', ')} FROM t WHERE x = '${CANARY}'`;
  const n = pg(long);
  assert.equal(n.statement.length, MAX_STATEMENT);
  assert.ok(n.statement.endsWith('…'));
  // Cut inside a literal: what follows the cut cannot be read, so the text is withheld.
  const huge = `SELECT x FROM t WHERE a = '${'a'.repeat(200_000)}${CANARY}'`;
  assert.equal(pg(huge).statement, 'SELECT t /* text removed: too long */');
});

test('1,000,000 distinct statements through the DB processor keep memory bounded', async (t) => {
  const config = loadConfig({ OTELKIT_SLOW_QUERY_MS: '0', OTELKIT_SLOW_QUERY_LIMIT: '1000' });
  const db = createDbFeature(config);
  const { tracer } = tracing([db.processor], { exporter: false });
  const before = heapAfterGc();
  for (let i = 0; i < 1_000_000; i++) {
    // Distinct text and distinct shape (a new column each time).
    const span = tracer.startSpan('pg.query:SELECT test', {
      kind: 2,
      attributes: { 'db.system.name': 'postgresql', 'db.namespace': 'test', 'db.query.text': `SELECT col_${i} FROM t WHERE id = ${i}` },
    });
    span.end();
  }
  const after = heapAfterGc();
  const routes = db.bind({ meter: new MeterProvider().getMeter('test'), config });
  const list = (await routes['/api/performance/slow-queries'].GET(request('GET', '/x', { query: 'limit=1000' }))).body;
  const stats = (await routes['/api/performance/slow-queries/stats'].GET(request('GET', '/x'))).body;
  assert.equal(list.queries.length, 1000, 'the ring keeps OTELKIT_SLOW_QUERY_LIMIT records');
  assert.equal(list.queries[0].statement, 'SELECT col_999999 FROM t WHERE id = ?', 'newest first');
  assert.equal(stats.total, 1_000_000);
  assert.equal(stats.by_fingerprint.length, 501, 'fingerprints capped, the rest under "other"');
  const other = stats.by_fingerprint.find((f) => f.fingerprint === 'other');
  assert.equal(other.count, 1_000_000 - 500);
  const heapGrowth = after.heapUsed - before.heapUsed;
  t.diagnostic(`heap ${(heapGrowth / 1048576).toFixed(1)} MiB, rss ${((after.rss - before.rss) / 1048576).toFixed(1)} MiB after 1,000,000 distinct statements`);
  assert.ok(heapGrowth < 40 * 1048576, `heap grew ${heapGrowth} bytes`);
});
