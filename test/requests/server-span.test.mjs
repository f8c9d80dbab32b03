// The HTTP server span of otelkit's own HTTP server instrumentation (src/requests/http-server.ts),
// made through the SDK Tracer: what reaches the Collector — parent, ids, clock, attributes,
// what application code adds to the active span, the span limits and the sampler's decision.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, fixture, get } from '../helpers/app.mjs';
import { startReceiver } from '../helpers/otlp-receiver.mjs';
import { rawRequest } from '../helpers/logs.mjs';

const SERVER = 2;
const CLIENT = 3;
const ERROR = 2;
const PARENT_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT_SPAN = '00f067aa0ba902b7';

async function withApp(file, env, fn) {
  const receiver = await startReceiver();
  const app = await startApp(fixture(file), {
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '100', OTEL_METRICS_EXPORTER: 'none', ...env },
  });
  try {
    await fn({ app, receiver });
  } finally {
    await app.stop('SIGTERM');
    await receiver.close();
  }
}

/** trace id, span id and flags from the Server-Timing traceparent. */
function timingParent(res) {
  const m = /traceparent;desc="00-([0-9a-f]{32})-([0-9a-f]{16})-(0[01])"/.exec(res.headers.get('server-timing') ?? '');
  assert.ok(m, `Server-Timing: ${res.headers.get('server-timing')}`);
  return { traceId: m[1], spanId: m[2], flags: m[3] };
}

const serverSpan = (receiver, spanId) => receiver.waitFor((s) => s.spans.find((x) => x.kind === SERVER && x.spanId === spanId));

test('the exported server span: parent, ids, clock, attributes, and the query span under it', async () => {
  await withApp('cjs-app.js', {}, async ({ app, receiver }) => {
    const before = Date.now() * 1e6;
    const res = await get(`${app.url}/db?user=7`, {
      traceparent: `00-${PARENT_TRACE}-${PARENT_SPAN}-01`,
      'user-agent': 'server-span-test/1.0',
      'x-request-id': 'req-server-span-1',
    });
    const after = Date.now() * 1e6;
    assert.equal(res.status, 200);
    const ids = timingParent(res);
    assert.equal(ids.traceId, PARENT_TRACE, 'the incoming trace is continued');
    assert.equal(ids.flags, '01');

    const span = await serverSpan(receiver, ids.spanId);
    assert.equal(span.traceId, PARENT_TRACE);
    assert.equal(span.parentSpanId, PARENT_SPAN);
    assert.equal(span.name, 'GET /db', 'no framework route: the path\'s template');
    assert.equal(span.scope, 'otelkit');
    assert.equal(typeof span.resource['service.name'], 'string');
    assert.deepEqual(
      { ...span.attributes },
      {
        'http.request.method': 'GET',
        'url.path': '/db',
        'url.scheme': 'http',
        'network.protocol.version': '1.1',
        'request.id': 'req-server-span-1',
        'user_agent.original': 'server-span-test/1.0',
        'client.address': '127.0.0.1',
        'http.response.status_code': 200,
        'url.query': 'user=7',
        'url.template': '/db',
        'server.address': '127.0.0.1',
        'server.port': Number(new URL(app.url).port),
        'network.peer.address': '127.0.0.1',
        'network.peer.port': span.attributes['network.peer.port'],
      },
    );
    assert.equal(typeof span.attributes['network.peer.port'], 'number');
    assert.equal(span.status.code, 0);
    assert.ok(span.startNs >= before - 2e6 && span.endNs <= after + 2e6, `span [${span.startNs}, ${span.endNs}] outside the request [${before}, ${after}]`);
    assert.ok(span.endNs >= span.startNs);

    const query = await receiver.waitFor((s) => s.spans.find((x) => x.kind === CLIENT && x.traceId === PARENT_TRACE));
    assert.equal(query.parentSpanId, span.spanId, 'the pg span is a child of the server span');
    assert.ok(query.startNs >= span.startNs && query.endNs <= span.endNs, 'the query lies inside the request on the same clock');
  });
});

test('what application code does to the active span is exported as the SDK would export it', async () => {
  await withApp('span-api-app.js', {}, async ({ app, receiver }) => {
    const res = await get(`${app.url}/annotate`);
    assert.equal(res.headers.get('x-recording'), 'true');
    const span = await serverSpan(receiver, timingParent(res).spanId);
    assert.equal(span.attributes['app.user'], 'u-17');
    assert.deepEqual(span.attributes['app.tags'], ['a', 'b']);
    assert.equal(span.attributes['app.retries'], 2);
    // OpenTelemetry 1.10 / SDK 3 accept map values (AnyValue) as attributes.
    assert.deepEqual(span.attributes['app.bad'], { not: 'an attribute value' });
    assert.deepEqual(span.events.map((e) => e.name), ['cache.miss', 'exception']);
    assert.equal(span.events[0].attributes['cache.key'], 'user:17');
    assert.equal(span.events[1].attributes['exception.type'], 'TypeError');
    assert.equal(span.events[1].attributes['exception.message'], 'lookup failed');
    assert.match(span.events[1].attributes['exception.stacktrace'], /lookup failed/);
    assert.ok(span.events.every((e) => e.timeNs >= span.startNs && e.timeNs <= span.endNs), 'events are timed inside the span');
    assert.deepEqual(span.links, [{ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', attributes: { 'link.kind': 'batch' } }]);
    assert.deepEqual(span.status, { code: ERROR, message: 'handled by the app' });
  });
});

test('span limits from the OTEL_SPAN_* variables apply to the server span', async () => {
  await withApp('span-api-app.js', { OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: '6', OTEL_SPAN_EVENT_COUNT_LIMIT: '2' }, async ({ app, receiver }) => {
    const res = await get(`${app.url}/events`, { 'user-agent': 'a-long-user-agent/2.0' });
    const span = await serverSpan(receiver, timingParent(res).spanId);
    assert.equal(span.attributes['user_agent.original'], 'a-long');
    assert.equal(span.attributes['url.path'], '/event');
    assert.deepEqual(span.events.map((e) => e.name), ['step 3', 'step 4'], 'the newest events are kept');
    assert.equal(span.droppedEventsCount, 3);
  });
  await withApp('span-api-app.js', { OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: '3' }, async ({ app, receiver }) => {
    const res = await get(`${app.url}/annotate`);
    const span = await serverSpan(receiver, timingParent(res).spanId);
    assert.equal(Object.keys(span.attributes).length, 3);
    assert.ok(span.droppedAttributesCount >= 7, `dropped ${span.droppedAttributesCount}`);
  });
});

test('the sampler decides what is exported: unsampled requests keep ids and headers, and nothing is exported', async () => {
  await withApp('span-api-app.js', { OTEL_TRACES_SAMPLER: 'always_off' }, async ({ app, receiver }) => {
    const res = await get(`${app.url}/annotate`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-recording'), 'true', 'recorded for the statistics, not sampled');
    const ids = timingParent(res);
    assert.equal(ids.flags, '00');
    assert.equal(res.headers.get('x-active-span'), ids.spanId, 'the unsampled span carries the ids');
    assert.match(res.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    await app.stop('SIGTERM'); // shutdown flushes whatever was queued
    assert.deepEqual(receiver.spans, []);
  });
  // With OTELKIT_TRUST_CLIENT_SAMPLING=true, parentbased_always_on follows an unsampled
  // parent (by default the local sampler decides: test/regression/client-sampling.test.mjs).
  await withApp('span-api-app.js', { OTELKIT_TRUST_CLIENT_SAMPLING: 'true' }, async ({ app, receiver }) => {
    const unsampled = await get(`${app.url}/`, { traceparent: `00-${PARENT_TRACE}-${PARENT_SPAN}-00` });
    assert.equal(unsampled.headers.get('x-recording'), 'true');
    const ids = timingParent(unsampled);
    assert.equal(ids.traceId, PARENT_TRACE);
    assert.equal(ids.flags, '00');
    const sampled = await get(`${app.url}/`);
    await serverSpan(receiver, timingParent(sampled).spanId);
    assert.equal(receiver.spans.some((s) => s.traceId === PARENT_TRACE), false, 'the unsampled request was not exported');
  });
  await withApp('span-api-app.js', { OTEL_TRACES_SAMPLER: 'always_on' }, async ({ app, receiver }) => {
    const res = await get(`${app.url}/`, { traceparent: `00-${PARENT_TRACE}-${PARENT_SPAN}-00` });
    const span = await serverSpan(receiver, timingParent(res).spanId);
    assert.equal(span.parentSpanId, PARENT_SPAN);
  });
});

test('trace and span ids stay distinct and well-formed across refills of the id pool', async () => {
  // One request draws 24 random bytes of the 4,096 a pool holds: 400 requests span two refills.
  await withApp('span-api-app.js', { OTEL_TRACES_EXPORTER: 'none' }, async ({ app }) => {
    const traces = new Set();
    const spans = new Set();
    for (let i = 0; i < 400; i++) {
      const { traceId, spanId } = timingParent(await get(`${app.url}/`));
      assert.doesNotMatch(traceId, /^0+$/);
      assert.doesNotMatch(spanId, /^0+$/);
      traces.add(traceId);
      spans.add(spanId);
    }
    assert.equal(traces.size, 400);
    assert.equal(spans.size, 400);
  });
});

test('server.address and server.port follow each request\'s Host header, one name after another', async () => {
  await withApp('cjs-app.js', {}, async ({ app, receiver }) => {
    const cases = [
      ['api.example.com:8443', { 'server.address': 'api.example.com', 'server.port': 8443 }],
      ['api.example.com:8443', { 'server.address': 'api.example.com', 'server.port': 8443 }],
      ['other.example.com', { 'server.address': 'other.example.com' }],
      ['[::1]:3000', { 'server.address': '::1', 'server.port': 3000 }],
      [':80', {}],
      ['api.example.com:8443', { 'server.address': 'api.example.com', 'server.port': 8443 }],
    ];
    for (const [host, expected] of cases) {
      // fetch does not let a caller set Host: the request is written as bytes.
      const res = await rawRequest(app.port, `GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
      const { spanId } = timingParent({ headers: new Headers(res.headers) });
      const span = await serverSpan(receiver, spanId);
      const got = {};
      for (const key of ['server.address', 'server.port']) if (key in span.attributes) got[key] = span.attributes[key];
      assert.deepEqual(got, expected, `Host: ${host}`);
    }
  });
});
