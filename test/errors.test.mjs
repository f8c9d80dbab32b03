// The error store on real SDK spans: exceptions grouped by type and top frame, their
// route and request id taken from the request's server span, 5xx answers without an
// exception, redaction with the logger's rules, every bound, and the admin routes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { loadConfig } from '../dist/src/config.js';
import { createErrorsFeature } from '../dist/src/errors/index.js';
import { MAX_ERRORS, MAX_PENDING } from '../dist/src/errors/store.js';
import { MAX_FRAME_LENGTH, MAX_MESSAGE_LENGTH, MAX_TYPE_LENGTH, topFrame } from '../dist/src/errors/occurrence.js';
import { createRouter } from '../dist/src/server/router.js';
import { tracing, request } from './helpers/tracing.mjs';

const SERVER = 1;

function setup(env = {}) {
  const errors = createErrorsFeature(loadConfig(env));
  const { tracer } = tracing([errors.processor], { exporter: false });
  const router = createRouter(errors.bind());
  const get = (query = '') => router.dispatch(request('GET', '/api/performance/errors', { query }));
  const list = async (query = 'limit=1000') => (await get(query)).body.errors;
  return { errors, tracer, router, get, list };
}

function serverSpan(tracer, { route = '/users/:id', status = 200, requestId = 'req-1' } = {}) {
  const attributes = { 'http.response.status_code': status, 'request.id': requestId };
  if (route !== null) attributes['http.route'] = route;
  return tracer.startSpan(route === null ? 'GET' : `GET ${route}`, { kind: SERVER, attributes });
}

/** A span inside the request of `server` that records what `fn` throws. */
function failingChild(tracer, server, name, fn) {
  const span = tracer.startSpan(name, {}, trace.setSpan(ROOT_CONTEXT, server));
  try {
    fn();
  } catch (err) {
    span.recordException(err);
    span.setStatus({ code: 2, message: err.message });
  }
  span.end();
}

function loadUser(id) {
  throw new TypeError(`user ${id} has no profile`);
}

test('an exception inside a request: grouped by type and top frame, route and request id from its server span', async () => {
  const { tracer, list } = setup();
  const first = serverSpan(tracer, { requestId: 'req-1' });
  failingChild(tracer, first, 'load_user', () => loadUser(7));
  const waiting = await list();
  assert.equal(waiting.length, 1);
  assert.equal(waiting[0].route, undefined, 'the request has not ended yet');
  assert.equal(waiting[0].request_id, null);
  first.end();

  const [one] = await list();
  assert.deepEqual(Object.keys(one).sort(),
    ['count', 'fingerprint', 'first_seen', 'last_seen', 'message', 'request_id', 'route', 'top_frame', 'trace_id', 'type']);
  assert.equal(one.type, 'TypeError');
  assert.equal(one.message, 'user 7 has no profile');
  assert.match(one.top_frame, /^loadUser \(.*errors\.test\.mjs:\d+:\d+\)$/);
  assert.equal(one.route, '/users/:id');
  assert.equal(one.request_id, 'req-1');
  assert.equal(one.trace_id, first.spanContext().traceId);
  assert.match(one.fingerprint, /^[0-9a-f]{16}$/);
  assert.equal(one.count, 1);

  await new Promise((r) => setTimeout(r, 5));
  const second = serverSpan(tracer, { route: '/admin/users/:id', requestId: 'req-2' });
  failingChild(tracer, second, 'load_user', () => loadUser(8));
  second.end();
  const [again] = await list();
  assert.equal(again.fingerprint, one.fingerprint, 'same type, same throw site: one group');
  assert.equal(again.count, 2);
  assert.equal(again.message, 'user 8 has no profile', 'the latest message');
  assert.deepEqual([again.route, again.request_id, again.trace_id], ['/admin/users/:id', 'req-2', second.spanContext().traceId], 'the latest sample');
  assert.equal(again.first_seen, one.first_seen);
  assert.ok(Date.parse(again.last_seen) > Date.parse(again.first_seen));
});

test('a 5xx answer without an exception is a failed request of its route; 4xx and 2xx are not errors', async () => {
  const { tracer, list } = setup();
  for (const [route, status, id] of [['/a', 500, 'r1'], ['/a', 500, 'r2'], ['/b', 503, 'r3'], ['/c', 404, 'r4'], ['/d', 200, 'r5'], [null, 502, 'r6']]) {
    serverSpan(tracer, { route, status, requestId: id }).end();
  }
  const entries = await list();
  assert.deepEqual(entries.map((e) => [e.type, e.message, e.route, e.count, e.request_id, e.top_frame]), [
    ['HTTP 502', 'Bad Gateway', undefined, 1, 'r6', null],
    ['HTTP 503', 'Service Unavailable', '/b', 1, 'r3', null],
    ['HTTP 500', 'Internal Server Error', '/a', 2, 'r2', null],
  ], 'newest first; one group per status and route');

  const withException = serverSpan(tracer, { route: '/e', status: 500, requestId: 'r7' });
  withException.recordException(new RangeError('out of range'));
  withException.end();
  const [top] = await list();
  assert.deepEqual([top.type, top.route, top.request_id], ['RangeError', '/e', 'r7']);
  assert.ok(!(await list()).some((e) => e.route === '/e' && e.type === 'HTTP 500'), 'the exception stands for the failed request');
});

test("messages, types and frames are redacted with the logger's rules and bounded", async () => {
  const { tracer, list } = setup();
  const server = serverSpan(tracer, { status: 500 });
  server.addEvent('exception', {
    'exception.type': 'ConnectError',
    'exception.message': 'connect postgres://app:s3cr3t-pw@db:5432/x failed (password=hunter2); Authorization: Bearer abc.def.ghi',
    'exception.stacktrace': 'Error: boom\n    at handler (/srv/token=abc123secret/app.js:1:1)',
  });
  server.addEvent('exception', {
    'exception.type': `Custom${'T'.repeat(10_000)}`,
    'exception.message': `api_key=k-${'9'.repeat(20)} ${'x'.repeat(1_000_000)}`,
    'exception.stacktrace': `Error: boom\n${'    at deep (/srv/app.js:2:2)\n'.repeat(50_000)}`,
  });
  const started = performance.now();
  server.end();
  const elapsed = performance.now() - started;
  const entries = await list();
  const text = JSON.stringify(entries);
  for (const secret of ['s3cr3t-pw', 'abc.def.ghi', 'hunter2', 'abc123secret', '9'.repeat(20)]) assert.ok(!text.includes(secret), `${secret} in ${text.slice(0, 2000)}`);
  const secrets = entries.find((e) => e.type === 'ConnectError');
  assert.equal(secrets.message, 'connect postgres://app:***@db:5432/x failed (password=[REDACTED]; Authorization: [REDACTED]', 'the pair rule takes the value up to a space');
  assert.equal(secrets.top_frame, 'handler (/srv/token=[REDACTED]');
  const long = entries.find((e) => e.type.startsWith('Custom'));
  assert.ok(long.message.startsWith('api_key=[REDACTED] xxx'), long.message.slice(0, 40));
  assert.ok(long.message.length <= MAX_MESSAGE_LENGTH && long.message.endsWith('…'), String(long.message.length));
  assert.ok(long.type.length <= MAX_TYPE_LENGTH);
  assert.equal(long.top_frame, 'deep (/srv/app.js:2:2)');
  assert.ok(long.top_frame.length <= MAX_FRAME_LENGTH);
  assert.ok(elapsed < 100, `a 1 MB message and a 1.5 MB stack took ${elapsed.toFixed(1)} ms`);
});

test('the top frame is the first one outside Node internals', () => {
  const stack = 'Error: x\n    at node:internal/process/task_queues:95:5\n    at async Promise.all (index 0)\n    at run (/app/jobs.js:10:3)';
  assert.equal(topFrame(stack), 'async Promise.all (index 0)');
  assert.equal(topFrame('Error: x\n    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)'), 'process.processTicksAndRejections (node:internal/process/task_queues:95:5)');
  assert.equal(topFrame('no frames here'), null);
});

test('at most MAX_ERRORS fingerprints (the most recently seen kept), at most MAX_PENDING traces waiting for their request', async () => {
  const { errors, tracer, list } = setup();
  for (let i = 0; i < MAX_ERRORS + 50; i++) {
    const s = serverSpan(tracer, { route: `/r${i}`, requestId: `q${i}` });
    s.recordException({ name: `E${i}`, message: 'm' });
    s.end();
  }
  const entries = await list();
  assert.equal(entries.length, MAX_ERRORS);
  assert.equal(entries[0].type, `E${MAX_ERRORS + 49}`);
  assert.equal(entries.at(-1).type, 'E50');
  assert.equal(errors.store.evicted, 50);

  for (let i = 0; i < 3 * MAX_PENDING; i++) {
    const orphan = tracer.startSpan('background_job');
    orphan.recordException(new Error(`job ${i}`));
    orphan.end();
  }
  assert.equal(errors.store.waiting, MAX_PENDING);
  assert.equal(errors.store.size, MAX_ERRORS);
});

test('GET ?limit and DELETE: bad limits are 400, clearing is admin-only and answers 204', async () => {
  const { tracer, get, router, list } = setup({ OTELKIT_ADMIN_TOKEN: 'let-me-in' });
  for (const status of [500, 502]) serverSpan(tracer, { status }).end();
  assert.equal((await get('limit=1')).body.errors.length, 1);
  for (const bad of ['0', 'abc', '1001', '-1']) assert.equal((await get(`limit=${bad}`)).status, 400, bad);
  const del = (headers) => router.dispatch(request('DELETE', '/api/performance/errors', { headers }));
  assert.equal((await del({})).status, 401);
  assert.equal((await del({ authorization: 'Bearer wrong' })).status, 401);
  assert.equal((await list()).length, 2, 'refused: nothing cleared');
  assert.equal((await del({ authorization: 'Bearer let-me-in' })).status, 204);
  assert.deepEqual(await list(), []);

  const open = setup();
  const fromAfar = await open.router.dispatch(request('DELETE', '/api/performance/errors', { remoteAddress: '10.1.2.3' }));
  assert.equal(fromAfar.status, 403, 'no token configured: loopback clients only');
});

test('a span the processor cannot read is skipped, never thrown into the code that ended it', () => {
  const { errors } = setup();
  const odd = { kind: 0, name: 'x', events: [{ name: 'exception', attributes: null }], spanContext: () => ({ traceId: 't' }) };
  assert.doesNotThrow(() => errors.processor.onEnd(odd));
  assert.doesNotThrow(() => errors.processor.onEnd({ kind: SERVER, attributes: null }));
  assert.doesNotThrow(() => errors.processor.onEnd(null));
});
