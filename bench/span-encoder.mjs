// Cost of otelkit's OTLP span encoder on the spans an Express+pg request makes: 256 server spans
// (otelkit's own, attributes as the request path builds them) and 256 pg query spans (the SDK's
// Tracer), encoded as one 512-span batch ITER times after WARM batches; ns per span.
//   npm run build && node bench/span-encoder.mjs        DIST=/other/checkout for another build
// Instructions per span (machine-independent): run it under valgrind --tool=callgrind
// --separate-threads=yes with node --no-concurrent-recompilation, once with ITER=0 and once
// with ITER=200, and divide the difference of the main thread's totals by 200 × 512.
import { createRequire } from 'node:module';
const ROOT = process.env.DIST ?? new URL('..', import.meta.url).pathname.replace(/\/$/, '');
const require = createRequire(ROOT + '/');
const { TracerProvider, ParentBasedSampler, AlwaysOnSampler, InMemorySpanExporter, SimpleSpanProcessor, RandomIdGenerator } = require('@opentelemetry/sdk-trace');
const { ROOT_CONTEXT, SpanKind, trace } = require('@opentelemetry/api');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { OtelkitTracerProvider } = require(`${ROOT}/dist/src/tracing/tracer.js`);
const { encodeSpans } = require(`${ROOT}/dist/src/export/span-encoder.js`);
const sampler = new ParentBasedSampler({ root: new AlwaysOnSampler() });
const resource = resourceFromAttributes({ 'service.name': 'bench', 'service.version': '1.0.0', 'deployment.environment.name': 'production', 'host.name': 'box', 'process.pid': 1234, 'telemetry.sdk.name': 'opentelemetry', 'telemetry.sdk.language': 'nodejs', 'telemetry.sdk.version': '3.0.0' });
const exporter = new InMemorySpanExporter();
const proc = new SimpleSpanProcessor({ exporter });
const tracer = new TracerProvider({ sampler, resource, spanProcessors: [proc] }).getTracer('@opentelemetry/instrumentation-pg', '0.75.0');
const otelkit = new OtelkitTracerProvider({ sampler, idGenerator: new RandomIdGenerator(), resource, spanLimits: {}, spanProcessors: [proc] }).getTracer('otelkit', '0.1.0');
const start = (name, attributes, ctx) => otelkit.startTrusted(name, SpanKind.SERVER, attributes, ctx);
for (let i = 0; i < 256; i++) {
  const s = start('GET', { 'http.request.method': 'GET', 'url.path': `/users/${i}`, 'url.scheme': 'http', 'network.protocol.version': '1.1', 'request.id': crypto.randomUUID(), 'user_agent.original': 'wrk/4.2', 'client.address': '127.0.0.1' }, ROOT_CONTEXT);
  s.setAttribute('http.response.status_code', 200);
  s.setAttribute('http.route', '/users/:id');
  s.updateName('GET /users/:id');
  const ctx = trace.setSpan(ROOT_CONTEXT, s);
  const q = tracer.startSpan('pg.query:SELECT test', { kind: SpanKind.CLIENT, attributes: { 'db.system.name': 'postgresql', 'db.namespace': 'test', 'server.port': 5432, 'server.address': '127.0.0.1', 'db.operation.name': 'SELECT' } }, ctx);
  q.setAttribute('db.query.text', 'SELECT $1::int AS id, $2::text AS name');
  q.end();
  s.end(performance.now());
}
const spans = exporter.getFinishedSpans();
const iter = Number(process.env.ITER ?? 2000);
const warm = Number(process.env.WARM ?? 300);
for (let i = 0; i < warm; i++) encodeSpans(spans);
const t = process.hrtime.bigint();
let bytes = 0;
for (let i = 0; i < iter; i++) bytes = encodeSpans(spans).length;
console.log(`${spans.length} spans, ${bytes} bytes; ${(Number(process.hrtime.bigint() - t) / iter / spans.length).toFixed(0)} ns per span`);
