// Run with --expose-gc. Queues 2,000 spans for OTLP/protobuf export (a batch that waits a
// minute) while the app makes short-lived buffers from Node's shared pool, then prints the
// ArrayBuffer memory still held after a full GC, in MB.
const { EncodingSpanProcessor, createProtobufSpanExporter } = require('../../dist/src/export/span-exporter.js');
const { BatchSpanProcessor, TracerProvider } = require('@opentelemetry/sdk-trace');

const exporter = createProtobufSpanExporter({ url: 'http://127.0.0.1:9/v1/traces' });
const batch = new BatchSpanProcessor({ exporter, maxQueueSize: 4096, maxExportBatchSize: 4096, scheduledDelayMillis: 60_000 });
const tracer = new TracerProvider({ spanProcessors: [new EncodingSpanProcessor(batch)] }).getTracer('memory');
globalThis.gc();
const before = process.memoryUsage().arrayBuffers;
let made = 0;
for (let i = 0; i < 2000; i++) {
  tracer.startSpan('GET /users/:id', { attributes: { 'http.request.method': 'GET', 'url.path': `/users/${i}` } }).end();
  made += Buffer.from('y'.repeat(3000)).length;
}
// ArrayBuffers are freed after the collection that finds them dead: collect, let a turn pass, collect.
globalThis.gc();
setTimeout(() => {
  globalThis.gc();
  console.log(JSON.stringify({ heldMb: (process.memoryUsage().arrayBuffers - before) / 2 ** 20, made }));
  process.exit(0);
}, 50);
