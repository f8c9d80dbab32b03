// Cost of encoding spans for OTLP: the stock protobuf and JSON serializers and otelkit's encoder (µs per span).
//   node bench/otlp-encode.mjs [spans]
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const { TracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace');
const { ProtobufTraceSerializer, JsonTraceSerializer } = require('@opentelemetry/otlp-transformer');
const { SpanKind } = require('@opentelemetry/api');

const n = Number(process.argv[2] ?? 5000);
const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
const tracer = provider.getTracer('bench');
for (let i = 0; i < n; i++) {
  const s = tracer.startSpan('GET /users/:id', { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET', 'url.path': `/users/${i}`, 'url.scheme': 'http', 'network.protocol.version': '1.1', 'request.id': '0b6e0c2e-7a8e-4d2e-9d5e-2f0c6d3b9a11', 'user_agent.original': 'wrk', 'client.address': '127.0.0.1' } });
  s.setAttribute('http.response.status_code', 200);
  s.setAttribute('http.route', '/users/:id');
  s.end();
}
const spans = exporter.getFinishedSpans();
for (const [name, ser] of [['protobuf', ProtobufTraceSerializer], ['json', JsonTraceSerializer]]) {
  const times = [];
  for (let r = 0; r < 7; r++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < spans.length; i += 512) ser.serializeRequest(spans.slice(i, i + 512));
    times.push(Number(process.hrtime.bigint() - t) / 1e3 / spans.length);
  }
  times.sort((a, b) => a - b);
  console.log(`${name}: ${times[3].toFixed(2)} µs per span (median of 7 runs over ${spans.length} spans)`);
}

const { encodeSpans } = require('../dist/src/export/span-encoder.js');
const times = [];
for (let r = 0; r < 7; r++) {
  const t = process.hrtime.bigint();
  for (let i = 0; i < spans.length; i += 512) encodeSpans(spans.slice(i, i + 512));
  times.push(Number(process.hrtime.bigint() - t) / 1e3 / spans.length);
}
times.sort((a, b) => a - b);
console.log(`otelkit encoder: ${times[3].toFixed(2)} µs per span`);
