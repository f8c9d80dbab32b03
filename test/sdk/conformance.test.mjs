// otelkit against the stock SDK: the same application, the same requests, once under the
// stock NodeSDK with the OpenTelemetry HTTP and pg instrumentations (test/fixtures/stock-sdk.js)
// and once under the otelkit preload, both exporting over OTLP to a receiver of this test.
// What otelkit composes itself (the providers, without NodeSDK) and writes itself (the HTTP
// server instrumentation) must export what the stock parts export: span names, kinds,
// attributes, events, links and status; metric names, units, attribute sets, counts, sums
// and min/max.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, fixture, get } from '../helpers/app.mjs';
import { startReceiver } from '../helpers/otlp-receiver.mjs';

const SERVER = 2;
const CLIENT = 3;
const PATHS = ['/db?user=7', '/db-pair', '/work', '/fail', '/call', '/'];
/** Attributes that differ between two runs by nature (ports of new connections). */
const PER_RUN = new Set(['network.peer.port', 'server.port', 'url.full']);
/** What otelkit adds on purpose: the request id, and for requests no framework routed, the path's template. */
const OTELKIT_ONLY = new Set(['request.id', 'url.template']);

async function run(setup) {
  const receiver = await startReceiver();
  const env = {
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_SERVICE_NAME: 'conformance',
    OTEL_METRIC_EXPORT_INTERVAL: '300',
    OTEL_BSP_SCHEDULE_DELAY: '100',
    OTEL_EXPORTER_PROMETHEUS_PORT: '0',
    // The same instrumentations in both runs: HTTP and pg.
    OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,pg',
  };
  const options = setup === 'stock' ? { preload: null, nodeArgs: ['--require', fixture('stock-sdk.js')], env } : { env };
  const app = await startApp(fixture('conformance-app.js'), options);
  try {
    for (const path of PATHS) assert.equal((await get(`${app.url}${path}`, { 'user-agent': 'conformance/1.0' })).status, path === '/fail' ? 500 : 200);
    await receiver.waitFor((s) => s.spans.filter((x) => x.kind === SERVER).length >= PATHS.length + 1);
    // Two metric exports after the last request: the cumulative counts are final.
    const posts = receiver.requests.filter((r) => r.path === '/v1/metrics').length;
    await receiver.waitFor((s) => s.requests.filter((r) => r.path === '/v1/metrics').length >= posts + 2);
  } finally {
    await app.stop();
    await receiver.close();
  }
  return receiver;
}

/** The server span of a request the test made (not of the call the app made to itself). */
const serverSpan = (spans, path) => spans.find((s) => s.kind === SERVER && s.attributes['url.path'] === path && s.parentSpanId === undefined);
const innerSpan = (spans) => spans.find((s) => s.kind === SERVER && s.attributes['url.path'] === '/' && s.parentSpanId !== undefined);
const comparable = (attributes, drop = new Set()) =>
  Object.fromEntries(Object.entries(attributes).filter(([k]) => !PER_RUN.has(k) && !drop.has(k)).sort(([a], [b]) => a.localeCompare(b)));
/** A stack trace's own frames: what calls the app (Node, instrumentations) differs by setup. */
const appFrames = (attributes) => {
  const stack = attributes['exception.stacktrace'];
  if (typeof stack !== 'string') return attributes;
  // Library frames differ by design (otelkit's tracer is in dist/ here, in node_modules once installed).
  const kept = stack.split('\n').filter((line) => !/node_modules|\/dist\/otelkit\.js|\(node:|at node:/.test(line)).join('\n');
  return { ...attributes, 'exception.stacktrace': kept };
};
const shape = (span) => ({
  // "GET /db" named by its url.template is the stock "GET" plus the template.
  name: span.attributes['url.template'] ? span.name.slice(0, -(span.attributes['url.template'].length + 1)) : span.name,
  kind: span.kind,
  status: span.status,
  attributes: comparable(span.attributes, OTELKIT_ONLY),
  events: span.events.map((e) => ({ name: e.name, attributes: appFrames(e.attributes) })),
  links: span.links,
});

/** The last export of each metric, keyed by name, points keyed by their attribute set. */
function lastMetrics(metrics, names) {
  const out = {};
  for (const m of metrics) {
    if (!names.includes(m.name)) continue;
    out[m.name] = {
      unit: m.unit,
      type: m.type,
      temporality: m.temporality,
      points: Object.fromEntries(m.points
        .filter((p) => !(m.name === 'http.client.request.duration' && p.attributes['http.request.method'] === 'POST'))
        // Sums (the pool's connection counters) by their value, histograms by count and buckets.
        .map((p) => [JSON.stringify(comparable(p.attributes)), m.type === 'sum' ? { value: p.value } : { count: p.count, bounds: p.bounds, extremes: [typeof p.min, typeof p.max] }])),
    };
  }
  return out;
}

test('otelkit exports what the stock SDK and instrumentations export for the same requests', async () => {
  const stock = await run('stock');
  const otelkit = await run('otelkit');

  for (const path of ['/db', '/work', '/fail', '/call', '/']) {
    const a = serverSpan(stock.spans, path);
    const b = serverSpan(otelkit.spans, path);
    assert.ok(a && b, `server span of ${path}`);
    assert.deepEqual(shape(b), shape(a), `server span of ${path}`);
    assert.equal(b.name, `GET ${b.attributes['url.template'] ?? ''}`.trim());
    for (const key of PER_RUN) assert.equal(typeof b.attributes[key], typeof a.attributes[key], `${key} on ${path}`);
  }
  assert.deepEqual(shape(innerSpan(otelkit.spans)), shape(innerSpan(stock.spans)), 'the server span of the call the app made to itself');

  // The app's own span, the pg query and the outgoing call: made by the same instrumentations
  // and API in both runs, exported through otelkit's providers and processors.
  const own = (spans) => spans.find((s) => s.name === 'app.work');
  assert.deepEqual(shape(own(otelkit.spans)), shape(own(stock.spans)));
  assert.equal(own(otelkit.spans).parentSpanId, serverSpan(otelkit.spans, '/work').spanId);
  const query = (spans) => spans.find((s) => s.kind === CLIENT && s.attributes['db.system.name'] === 'postgresql' && s.attributes['db.query.text']?.includes('$1'));
  assert.deepEqual(shape(query(otelkit.spans)), shape(query(stock.spans)));
  assert.equal(query(otelkit.spans).parentSpanId, serverSpan(otelkit.spans, '/db').spanId);
  const call = (spans) => spans.find((s) => s.kind === CLIENT && s.attributes['url.full']?.endsWith(':' + s.attributes['server.port'] + '/'));
  assert.deepEqual(shape(call(otelkit.spans)), shape(call(stock.spans)));
  assert.equal(innerSpan(otelkit.spans).parentSpanId, call(otelkit.spans).spanId, 'the outgoing call carries the trace');

  const names = ['http.server.request.duration', 'http.client.request.duration', 'db.client.operation.duration', 'db.client.connection.count', 'db.client.connection.pending_requests', 'db.client.connection.max'];
  const a = lastMetrics(stock.metrics, names);
  const b = lastMetrics(otelkit.metrics, names);
  assert.deepEqual(Object.keys(b).sort(), Object.keys(a).sort());
  assert.deepEqual(b, a);
  // Sums and extremes of the request durations are of the same requests, timed a little apart.
  const server = (metrics) => metrics.filter((m) => m.name === 'http.server.request.duration').at(-1).points;
  for (const p of server(otelkit.metrics)) {
    assert.ok(p.sum > 0 && p.sum < 5, `sum ${p.sum}`);
  }

  assert.equal(otelkit.spans[0].resource['service.name'], stock.spans[0].resource['service.name']);
  for (const key of ['telemetry.sdk.name', 'telemetry.sdk.language', 'telemetry.sdk.version']) {
    assert.equal(otelkit.spans[0].resource[key], stock.spans[0].resource[key], key);
  }
});
