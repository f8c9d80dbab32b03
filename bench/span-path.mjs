// Cost of the parts the HTTP server span replaced, in ns per operation (median of 5 runs):
// trace + span id pairs from the SDK's RandomIdGenerator and from otelkit's pool, and one
// server span — 7 attributes at the start, status code and route at the end, renamed,
// ended — through the SDK Tracer and through otelkit's server span. No span processors.
//   npm run build && node bench/span-path.mjs
import { createRequire } from 'node:module';
import { ROOT } from './lib/proc.mjs';

const require = createRequire(ROOT);
const { BasicTracerProvider, RandomIdGenerator, ParentBasedSampler, AlwaysOnSampler } = require('@opentelemetry/sdk-trace-base');
const { ROOT_CONTEXT, SpanKind } = require('@opentelemetry/api');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { PooledIdGenerator } = require(`${ROOT}dist/src/id-generator.js`);
const { serverSpans } = require(`${ROOT}dist/src/requests/server-span.js`);

const N = 300_000;
function nsPerOp(fn) {
  const runs = [];
  for (let r = 0; r < 6; r++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < N; i++) fn(i);
    runs.push(Number(process.hrtime.bigint() - t) / N);
  }
  runs.shift(); // warm-up
  return runs.sort((a, b) => a - b)[2];
}

const attributes = (i) => ({
  'http.request.method': 'GET', 'url.path': '/users/7', 'url.scheme': 'http', 'network.protocol.version': '1.1',
  'request.id': `req-${i & 1023}`, 'user_agent.original': 'wrk', 'client.address': '127.0.0.1',
});
function serve(span) {
  span.setAttribute('http.response.status_code', 200);
  span.setAttribute('http.route', '/users/:id');
  span.updateName('GET /users/:id');
  span.end(performance.now());
}

const sampler = new ParentBasedSampler({ root: new AlwaysOnSampler() });
const resource = resourceFromAttributes({ 'service.name': 'bench' });
const tracer = new BasicTracerProvider({ sampler, resource, idGenerator: new PooledIdGenerator() }).getTracer('otelkit');
const startServerSpan = serverSpans({ sampler, idGenerator: new PooledIdGenerator(), processors: [], resource, scope: { name: 'otelkit' }, limits: {} });

const sdkIds = new RandomIdGenerator();
const pooledIds = new PooledIdGenerator();
const rows = [
  ['trace + span id, SDK RandomIdGenerator', nsPerOp(() => sdkIds.generateTraceId() + sdkIds.generateSpanId())],
  ['trace + span id, otelkit pool', nsPerOp(() => pooledIds.generateTraceId() + pooledIds.generateSpanId())],
  ['server span, SDK Tracer (pooled ids)', nsPerOp((i) => serve(tracer.startSpan('GET', { kind: SpanKind.SERVER, attributes: attributes(i) }, ROOT_CONTEXT)))],
  ['server span, otelkit (pooled ids)', nsPerOp((i) => serve(startServerSpan('GET', attributes(i), ROOT_CONTEXT, performance.now())))],
];
console.log(`Node ${process.version}; ns per operation, median of 5 runs of ${N}`);
for (const [name, ns] of rows) console.log(`${name.padEnd(42)} ${ns.toFixed(0).padStart(6)} ns`);
