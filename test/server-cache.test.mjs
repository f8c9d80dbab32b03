// Slow-query answers are serialised once per change of the store: the same page asked for
// again is the same bytes, a new record or a clear makes a new one; the cache is bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { request } from './helpers/tracing.mjs';

const require = createRequire(import.meta.url);
const { dbRoutes } = require('../dist/src/db/routes.js');
const { SlowQueryStore } = require('../dist/src/db/slow-queries.js');
const { NPlusOneDetector } = require('../dist/src/db/n-plus-one.js');
const { createJsonCache, MAX_BYTES } = require('../dist/src/server/cache.js');

const record = (i) => ({ time: Date.now(), durationMs: 120 + i, statement: `SELECT ? AS c${i}`, fingerprint: `f${i}`, dbSystem: 'postgresql', dbName: 'test', operation: 'SELECT', traceId: null, spanId: null, requestId: null });

test('a page is built once per version of the store; limits past the records kept share it', async () => {
  const slow = new SlowQueryStore(100);
  const routes = dbRoutes({ thresholdMs: 100, adminToken: '', slow, nPlusOne: new NPlusOneDetector({ minRepeats: 10 }) });
  const page = (query) => routes['/api/performance/slow-queries'].GET(request('GET', '/api/performance/slow-queries', { query }));
  const stats = () => routes['/api/performance/slow-queries/stats'].GET(request('GET', '/api/performance/slow-queries/stats'));
  for (let i = 0; i < 5; i++) slow.record(record(i));
  const first = page('limit=500');
  assert.equal(first.encoded, page('limit=500').encoded, 'the same bytes again');
  assert.equal(first.encoded, page('limit=1000').encoded, 'both limits are the 5 records');
  assert.deepEqual(JSON.parse(first.encoded).queries.map((q) => q.statement), first.body.queries.map((q) => q.statement));
  assert.equal(first.body.queries.length, 5);
  const s1 = stats();
  assert.equal(s1.encoded, stats().encoded);
  slow.record(record(5));
  assert.notEqual(page('limit=500').encoded, first.encoded, 'a new record, a new page');
  assert.equal(page('limit=500').body.queries.length, 6);
  assert.equal(stats().body.total, 6);
  slow.clear();
  assert.deepEqual(page('limit=500').body.queries, []);
  assert.equal(page('limit=1001').status, 400);
});

test('the cache keeps at most MAX_BYTES of JSON (the newest answer always)', () => {
  const cache = createJsonCache();
  const big = 'x'.repeat(MAX_BYTES / 3);
  const a = cache.reply(1, 'a', () => ({ big }));
  cache.reply(1, 'b', () => ({ big }));
  cache.reply(1, 'c', () => ({ big })); // a + b + c is over the bound: a goes
  let built = 0;
  assert.notEqual(cache.reply(1, 'a', () => { built++; return { big }; }).encoded, a.encoded);
  assert.equal(built, 1);
  const huge = cache.reply(1, 'huge', () => ({ big: 'y'.repeat(MAX_BYTES) }));
  assert.equal(cache.reply(1, 'huge', () => assert.fail('kept')).encoded, huge.encoded);
});
