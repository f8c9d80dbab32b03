// otelkit's one-pass OTLP/protobuf span encoder writes exactly what the stock serializer
// writes: both outputs decoded with the OTLP schema and compared field by field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const require = createRequire(import.meta.url);
const { encodeSpans } = require('../../dist/src/export/span-encoder.js');
const { ProtobufTraceSerializer } = require('@opentelemetry/otlp-transformer');
const { TracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const api = require('@opentelemetry/api');
const { TraceState } = require('@opentelemetry/core');

const root = protobuf.loadSync(fileURLToPath(new URL('../helpers/otlp.proto', import.meta.url)));
const Request = root.lookupType('otlp.ExportTraceServiceRequest');
const decode = (bytes) => Request.toObject(Request.decode(bytes), { longs: String, bytes: String, defaults: true, arrays: true });

function makeSpans() {
  const exporter = new InMemorySpanExporter();
  const spans = [];
  for (const [resourceName, scopes] of [['svc-a', ['scope-1', 'scope-2']], ['svc-b', ['scope-1']]]) {
    const provider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': resourceName, 'service.instance.id': 'i-1', 'host.arch': 'amd64', pid: 1234 }),
      spanProcessors: [new SimpleSpanProcessor({ exporter })],
    });
    for (const scope of scopes) {
      const tracer = provider.getTracer(scope, '1.2.3', { schemaUrl: 'https://opentelemetry.io/schemas/1.30.0' });
      const remoteParent = api.trace.setSpanContext(api.ROOT_CONTEXT, {
        traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1, isRemote: true,
        traceState: new TraceState('vendor=value,other=x'),
      });
      const span = tracer.startSpan('GET /users/:id', {
        kind: api.SpanKind.SERVER,
        attributes: {
          str: 'value', empty: '', utf8: 'héllo ✓ 𝄞', zero: 0, int: 42, big: 2 ** 40, negative: -7, double: 3.25,
          yes: true, no: false, strings: ['a', '', 'c'], numbers: [1, 2.5, -3], bools: [true, false],
          // OpenTelemetry 1.10 values: maps, byte arrays, mixed arrays, integers past 2^63.
          map: { nested: { deep: 'x', n: 2 }, list: [1, 'two'] }, bytes: new Uint8Array([0, 1, 255]), mixed: ['a', 1, true], huge: 2 ** 64,
        },
        links: [
          { context: { traceId: '1'.repeat(32), spanId: '2'.repeat(16), traceFlags: 0, isRemote: true }, attributes: { link: 'yes' } },
          // Ids as an app may pass them: upper case, and characters that are no hex digits at all.
          { context: { traceId: 'A1b2C3d4E5f6A7b8C9d0E1f2A3b4C5d6', spanId: 'zz-!İ€x9ABCDEF01', traceFlags: 1 } },
        ],
      }, remoteParent);
      span.addEvent('exception', { 'exception.message': 'boom', count: 3 });
      span.addEvent('plain');
      span.setStatus({ code: api.SpanStatusCode.ERROR, message: 'failed' });
      span.end();
      const child = tracer.startSpan('SELECT test', { kind: api.SpanKind.CLIENT }, api.trace.setSpan(api.ROOT_CONTEXT, span));
      child.end([2000000000, 123456789]);
      const internal = tracer.startSpan('work', {});
      internal.setStatus({ code: api.SpanStatusCode.OK });
      internal.end();
    }
  }
  spans.push(...exporter.getFinishedSpans());
  return spans;
}

test('encodeSpans writes the same ExportTraceServiceRequest as the stock serializer', () => {
  const spans = makeSpans();
  assert.ok(spans.length >= 9);
  const ours = decode(encodeSpans(spans));
  const stock = decode(ProtobufTraceSerializer.serializeRequest(spans));
  assert.deepEqual(ours, stock);
  // Spot checks on what matters most, so a shared mistake would still show.
  const first = ours.resourceSpans[0].scopeSpans[0].spans[0];
  assert.equal(first.name, 'GET /users/:id');
  assert.equal(first.kind, 2);
  assert.equal(first.parentSpanId.length > 0, true);
  assert.equal(first.flags, 0x301);
  assert.equal(first.traceState, 'vendor=value,other=x');
  const attrs = Object.fromEntries(first.attributes.map((kv) => [kv.key, kv.value]));
  assert.equal(attrs.int.intValue, '42');
  assert.equal(attrs.negative.intValue, '-7');
  assert.equal(attrs.big.intValue, String(2 ** 40));
  assert.equal(attrs.utf8.stringValue, 'héllo ✓ 𝄞');
  const child = ours.resourceSpans[0].scopeSpans[0].spans[1];
  assert.equal(child.endTimeUnixNano, '2000000000123456789');
});

test('encodeSpans of an empty batch is an empty request', () => {
  assert.equal(encodeSpans([]).length, 0);
});

test('pairs remembered from earlier batches are written as the stock serializer writes them', () => {
  // Repeating pairs are written from remembered bytes; values of another type under the same
  // key, values that never repeat, long values and more keys than are remembered are not.
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const tracer = provider.getTracer('remembered');
  const batches = [];
  for (let b = 0; b < 3; b++) {
    for (let i = 0; i < 40; i++) {
      const span = tracer.startSpan(`op ${i % 3}`);
      span.setAttributes({
        'http.request.method': 'GET', 'server.port': 5432, ratio: 0.5, flag: true, same: i % 2 ? 1 : '1',
        either: i % 2 ? true : 'true', zero: i % 2 ? 0 : -0, 'request.id': `req-${b}-${i}`, long: 'x'.repeat(300 + (i % 2)),
        list: ['a', 'b'],
      });
      // 360 distinct keys in all, past the 256 that are kept; each key's value recurs.
      for (const prefix of ['a', 'b', 'c']) span.setAttribute(`${prefix}-${b * 40 + i}`, `value-${i % 5}`);
      span.end();
    }
    batches.push(exporter.getFinishedSpans());
    exporter.reset();
  }
  for (const spans of [...batches, ...batches]) {
    assert.deepEqual(decode(encodeSpans(spans)), decode(ProtobufTraceSerializer.serializeRequest(spans)));
  }
  assert.deepEqual(encodeSpans(batches[0]), encodeSpans(batches[0]));
});

/** An OTLP/HTTP endpoint that keeps the bodies posted to /v1/traces. */
async function bodyReceiver() {
  const { createServer } = await import('node:http');
  const bodies = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c)).on('end', () => {
      bodies.push(Buffer.concat(chunks));
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}/v1/traces`, bodies, close: () => server.close() };
}

test('spans written as they end arrive as the stock batch processor and OTLP exporter send them', async () => {
  const { EncodingSpanProcessor, createProtobufSpanExporter } = require('../../dist/src/export/span-exporter.js');
  const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace');
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-proto');
  const spans = makeSpans();
  const ours = await bodyReceiver();
  const stock = await bodyReceiver();
  const processors = [
    new EncodingSpanProcessor(new BatchSpanProcessor({ exporter: createProtobufSpanExporter({ url: ours.url }) })),
    new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: stock.url }) }),
  ];
  try {
    for (const processor of processors) {
      for (const span of spans) processor.onEnd(span);
      await processor.forceFlush();
    }
    assert.equal(ours.bodies.length, 1);
    assert.equal(stock.bodies.length, 1);
    const sent = decode(ours.bodies[0]);
    assert.deepEqual(sent, decode(stock.bodies[0]));
    assert.equal(sent.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)).length, spans.length);
  } finally {
    await Promise.all(processors.map((p) => p.shutdown()));
    ours.close();
    stock.close();
  }
});

test('unsampled spans are not exported, and a span that cannot be written is dropped without throwing', async () => {
  const { EncodingSpanProcessor, createProtobufSpanExporter } = require('../../dist/src/export/span-exporter.js');
  const { BatchSpanProcessor, TraceIdRatioBasedSampler } = require('@opentelemetry/sdk-trace');
  const receiver = await bodyReceiver();
  const processor = new EncodingSpanProcessor(new BatchSpanProcessor({ exporter: createProtobufSpanExporter({ url: receiver.url }) }));
  const sampled = new TracerProvider({ spanProcessors: [processor] }).getTracer('t');
  const unsampled = new TracerProvider({ sampler: new TraceIdRatioBasedSampler(0), spanProcessors: [processor] }).getTracer('t');
  const warnings = [];
  api.diag.setLogger({ warn: (m) => warnings.push(m), error() {}, info() {}, debug() {}, verbose() {} }, api.DiagLogLevel.WARN);
  try {
    unsampled.startSpan('not sampled').end();
    // The SDK copies attribute values when they are set, so a value that throws when read can
    // only come from another processor's or exporter's span: a finished span with one put in.
    const finished = new InMemorySpanExporter();
    new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: finished })] }).getTracer('t').startSpan('unwritable').end();
    for (let i = 0; i < 2; i++) {
      const hostile = Object.create(finished.getFinishedSpans()[0], {
        attributes: { value: { map: { get secret() { throw new Error('getter refused'); } } } },
      });
      assert.doesNotThrow(() => processor.onEnd(hostile));
    }
    sampled.startSpan('kept').end();
    await processor.forceFlush();
    const names = receiver.bodies.flatMap((b) => decode(b).resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans.map((x) => x.name))));
    assert.deepEqual(names, ['kept']);
    assert.equal(warnings.filter((m) => m.includes('could not be encoded')).length, 1);
  } finally {
    api.diag.disable();
    await processor.shutdown();
    receiver.close();
  }
});

test('spans waiting for their batch hold their own bytes, not the pooled buffers the app made beside them', async () => {
  const { execFileSync } = await import('node:child_process');
  const probe = fileURLToPath(new URL('../helpers/queued-spans-memory.cjs', import.meta.url));
  const { heldMb, made } = JSON.parse(execFileSync(process.execPath, ['--expose-gc', probe], { encoding: 'utf8' }));
  assert.equal(made, 6_000_000);
  // 2,000 spans of ~100 bytes each; a slice of Node's 8 KB pool per span held ~7 MB.
  assert.ok(heldMb < 1.5, `queued spans hold ${heldMb.toFixed(2)} MB of ArrayBuffer memory`);
});
