// The database span processor on real SDK spans: MySQL and older-convention spans made
// safe, error text scrubbed, request ids from the start context, N+1 grouping by server
// span, and bounded in-flight tracking.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { setRPCMetadata, RPCType } from '@opentelemetry/core';
import { loadConfig } from '../dist/src/config.js';
import { createDbFeature } from '../dist/src/db/index.js';
import { REQUEST_ID_KEY } from '../dist/src/requests/request-id.js';
import { MAX_REQUESTS } from '../dist/src/db/n-plus-one.js';
import { tracing, timedSpan } from './helpers/tracing.mjs';

const SERVER = 1;
const CLIENT = 2;
const CANARY = '4242-secret';

function setup(env = {}) {
  const db = createDbFeature(loadConfig(env));
  const { tracer, exporter } = tracing([db.processor]);
  return { db, tracer, exporter };
}

test('MySQL and older-convention spans: statements rewritten before export, slow ones recorded', () => {
  const { db, tracer, exporter } = setup();
  timedSpan(tracer, 'SELECT', 150, { kind: CLIENT, attributes: { 'db.system.name': 'mysql', 'db.namespace': 'shop', 'db.query.text': `SELECT * FROM users WHERE email = "${CANARY}@x.y"` } });
  timedSpan(tracer, 'query', 5, { kind: CLIENT, attributes: { 'db.system': 'postgresql', 'db.name': 'legacy', 'db.statement': `UPDATE t SET secret = '${CANARY}' WHERE id = 7` } });
  const [mysql, legacy] = exporter.getFinishedSpans();
  assert.equal(mysql.attributes['db.query.text'], 'SELECT * FROM users WHERE email = ?');
  assert.equal(legacy.attributes['db.statement'], 'UPDATE t SET secret = ? WHERE id = ?');
  const records = db.slow.list(10);
  assert.equal(records.length, 1, 'only the call over 100 ms');
  assert.equal(records[0].db_system, 'mysql');
  assert.equal(records[0].db_name, 'shop');
  assert.equal(records[0].operation, 'SELECT');
  assert.equal(records[0].duration_ms, 150);
  assert.equal(records[0].request_id, null, 'outside a request');
  assert.ok(!JSON.stringify(exporter.getFinishedSpans().map((s) => s.attributes)).includes('4242'));
});

test('an error status and exception text on a DB span lose their quoted values', () => {
  const { db, tracer, exporter } = setup({ OTELKIT_SLOW_QUERY_MS: '0' });
  const span = tracer.startSpan('pg.query:SELECT test', { kind: CLIENT, attributes: { 'db.system.name': 'postgresql', 'db.query.text': `SELECT '${CANARY}'::int` } });
  span.recordException(new Error(`invalid input syntax for type integer: "${CANARY}"`));
  span.setAttribute('error.type', '22P02');
  span.setStatus({ code: 2, message: `invalid input syntax for type integer: "${CANARY}"` });
  span.end();
  const [out] = exporter.getFinishedSpans();
  assert.equal(out.status.message, 'invalid input syntax for type integer: ?');
  assert.equal(out.events[0].attributes['exception.message'], 'invalid input syntax for type integer: ?');
  assert.ok(!String(out.events[0].attributes['exception.stacktrace']).includes('4242'));
  assert.equal(db.slow.list(1)[0].error, '22P02: invalid input syntax for type integer: ?');
});

/** A context like otelkit's HTTP server makes: its server span, RPC metadata, request id. */
function requestContext(tracer, requestId) {
  const server = tracer.startSpan('GET', { kind: SERVER });
  const ctx = setRPCMetadata(trace.setSpan(ROOT_CONTEXT, server), { type: RPCType.HTTP, span: server }).setValue(REQUEST_ID_KEY, requestId);
  return { server, ctx };
}

function query(tracer, ctx, text) {
  tracer.startSpan('pg.query:SELECT test', { kind: CLIENT, attributes: { 'db.system.name': 'postgresql', 'db.query.text': text } }, ctx).end();
}

test('N+1: grouped by the server span from the start context, evaluated when it ends', () => {
  const { db, tracer } = setup();
  const a = requestContext(tracer, 'req-a');
  const b = requestContext(tracer, 'req-b');
  for (let i = 0; i < 12; i++) query(tracer, a.ctx, `SELECT * FROM items WHERE id = ${i}`);
  for (let i = 0; i < 3; i++) query(tracer, b.ctx, `SELECT * FROM items WHERE id = ${i}`);
  for (let i = 0; i < 9; i++) query(tracer, b.ctx, `SELECT * FROM other WHERE id = ${i}`);
  a.server.setAttribute('http.route', '/items');
  b.server.setAttribute('http.route', '/mixed');
  assert.equal(db.nPlusOne.list().length, 0, 'nothing before the request ends');
  a.server.end();
  b.server.end();
  const detections = db.nPlusOne.list();
  assert.equal(detections.length, 1);
  assert.equal(detections[0].route, '/items');
  assert.equal(detections[0].count, 12);
  assert.equal(detections[0].request_id, 'req-a');
  assert.equal(detections[0].statement, 'SELECT * FROM items WHERE id = ?');
  assert.equal(db.nPlusOne.inFlight, 0, 'ended requests are forgotten');
});

test('in-flight N+1 tracking is bounded when requests never end', () => {
  const { db, tracer } = setup();
  for (let r = 0; r < MAX_REQUESTS + 500; r++) query(tracer, requestContext(tracer, `req-${r}`).ctx, 'SELECT 1');
  assert.equal(db.nPlusOne.inFlight, MAX_REQUESTS);
  assert.equal(db.nPlusOne.dropped, 500);
});
