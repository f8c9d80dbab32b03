// otelkit's tracer provider against the SDK's own: the same calls through each, with the same
// sampler, id sequence and limits, export the same spans (names, kinds, ids, parents, trace
// state and flags, attributes and their dropped counts, links, events, status, times given).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const api = require('@opentelemetry/api');
const { TraceState, suppressTracing } = require('@opentelemetry/core');
const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');
const { TracerProvider, InMemorySpanExporter, SimpleSpanProcessor, SamplingDecision, ParentBasedSampler, AlwaysOnSampler } = require('@opentelemetry/sdk-trace');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { OtelkitTracerProvider } = require('../../dist/src/tracing/tracer.js');

api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

/** Ids from a counter: both providers see the same sequence. */
class CountingIds {
  n = 0;
  generateTraceId() { return (++this.n).toString(16).padStart(32, '0'); }
  generateSpanId() { return (++this.n).toString(16).padStart(16, '0'); }
}

/** Samples by span name; adds attributes and trace state to some. */
const sampler = {
  shouldSample(ctx, traceId, name, kind, attributes) {
    if (name.startsWith('drop')) return { decision: SamplingDecision.NOT_RECORD };
    if (name.startsWith('record-only')) return { decision: SamplingDecision.RECORD };
    if (name.startsWith('tagged')) return { decision: SamplingDecision.RECORD_AND_SAMPLED, attributes: { 'sampler.saw': Object.keys(attributes).length, 'sampler.long': 'abcdefghij' }, traceState: new TraceState('s=1') };
    return { decision: SamplingDecision.RECORD_AND_SAMPLED };
  },
  toString: () => 'test sampler',
};

const resource = resourceFromAttributes({ 'service.name': 'tracer-test' });

function providers(spanLimits, chosenSampler = sampler) {
  const make = (Provider) => {
    const exporter = new InMemorySpanExporter();
    const provider = new Provider({ resource, sampler: chosenSampler, idGenerator: new CountingIds(), spanLimits, spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    return { provider, exporter };
  };
  return { sdk: make(TracerProvider), otelkit: make(OtelkitTracerProvider) };
}

const view = (span) => ({
  name: span.name,
  kind: span.kind,
  traceId: span.spanContext().traceId,
  spanId: span.spanContext().spanId,
  flags: span.spanContext().traceFlags,
  traceState: span.spanContext().traceState?.serialize(),
  parent: span.parentSpanContext?.spanId,
  attributes: span.attributes,
  droppedAttributesCount: span.droppedAttributesCount,
  links: span.links,
  droppedLinksCount: span.droppedLinksCount,
  events: span.events.map((e) => ({ name: e.name, attributes: e.attributes, droppedAttributesCount: e.droppedAttributesCount })),
  droppedEventsCount: span.droppedEventsCount,
  status: span.status,
  scope: span.instrumentationScope,
  resource: span.resource.attributes,
});

/** Runs `scenario(tracer)` through both providers; returns the exported spans of each. */
async function both(scenario, spanLimits = {}, chosenSampler) {
  const { sdk, otelkit } = providers(spanLimits, chosenSampler);
  const out = {};
  for (const [name, { provider, exporter }] of Object.entries({ sdk, otelkit })) {
    const returned = await scenario(provider.getTracer('scope-a', '1.0.0', { schemaUrl: 'https://example.com/s' }));
    out[name] = { spans: exporter.getFinishedSpans(), returned };
  }
  return out;
}

const FAILURE = new RangeError('r');
const ATTRIBUTES = {
  str: 'value', num: 3.5, int: -2, yes: false, list: ['a', 'b'], mixed: [1, 'x', null], bytes: new Uint8Array([1, 2]),
  map: { inner: { deep: 'y' }, skip: undefined }, none: undefined, fn: () => 1, sym: Symbol('s'), big: 10n, '': 'empty key', nul: null,
};

test('spans started with attributes of every kind, valid and not, export alike', async () => {
  const { sdk, otelkit } = await both((tracer) => {
    const remote = api.trace.setSpanContext(api.ROOT_CONTEXT, { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1, isRemote: true, traceState: new TraceState('r=2') });
    const server = tracer.startSpan('server', { kind: api.SpanKind.SERVER, attributes: ATTRIBUTES }, remote);
    const child = tracer.startSpan('child', { kind: api.SpanKind.CLIENT, attributes: { 'db.system.name': 'postgresql' } }, api.trace.setSpan(api.ROOT_CONTEXT, server));
    child.setAttribute('late', 1).setAttributes({ more: 'x', bad: {} }).addEvent('e', { a: 1, nested: { no: true } }).recordException(FAILURE);
    child.setStatus({ code: api.SpanStatusCode.ERROR, message: 'failed' }).updateName('child renamed');
    child.end();
    child.setAttribute('after', 'end');
    tracer.startSpan('tagged', { attributes: { a: 1, b: 2 } }).end();
    tracer.startSpan('rooted', { root: true }, api.trace.setSpan(api.ROOT_CONTEXT, server)).end();
    tracer.startSpan('invalid parent', {}, api.trace.setSpanContext(api.ROOT_CONTEXT, { traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: 1 })).end();
    tracer.startSpan('record-only').end();
    const dropped = tracer.startSpan('drop me', {}, api.trace.setSpan(api.ROOT_CONTEXT, server));
    tracer.startSpan('suppressed', {}, suppressTracing(api.ROOT_CONTEXT)).end();
    tracer.startSpan('linked', { links: [{ context: server.spanContext(), attributes: { why: 'batch', bad: () => 1 } }, { context: child.spanContext() }] }).end();
    server.end();
    return { droppedRecording: dropped.isRecording(), droppedContext: dropped.spanContext() };
  });
  assert.deepEqual(otelkit.spans.map(view), sdk.spans.map(view));
  assert.deepEqual(otelkit.returned, sdk.returned);
  assert.equal(sdk.spans.length, 6, 'record-only and dropped spans are not exported');
});

test('limits drop and shorten alike, with the sampler\'s attributes', async () => {
  const limits = { attributeCountLimit: 3, attributeValueLengthLimit: 4, linkCountLimit: 1, eventCountLimit: 2, attributePerEventCountLimit: 1, attributePerLinkCountLimit: 1 };
  const { sdk, otelkit } = await both((tracer) => {
    tracer.startSpan('limited', { attributes: { a: 'abcdefgh', b: ['long value', 'ok'], c: { k: 'abcdefgh' }, d: 4, e: 5 } }).end();
    tracer.startSpan('tagged', { attributes: { a: 'abcdefgh', b: 2 } }).end();
    tracer.startSpan('short', { attributes: { a: 'abc' } }).end();
    const many = tracer.startSpan('links', { links: [1, 2, 3].map((n) => ({ context: { traceId: `${n}`.repeat(32), spanId: `${n}`.repeat(16), traceFlags: 1 }, attributes: { x: 'long string', y: n } })) });
    for (let i = 0; i < 4; i++) many.addEvent(`e${i}`, { first: 'abcdefgh', second: i });
    many.setAttributes({ p: 1, q: 2, r: 3, s: 4 });
    many.end();
  }, limits);
  assert.deepEqual(otelkit.spans.map(view), sdk.spans.map(view));
});

test('start and end times given in each form export alike', async () => {
  const now = Date.now();
  const perf = performance.now();
  const times = (span) => ({ start: span.startTime, end: span.endTime, duration: span.duration });
  const { sdk, otelkit } = await both((tracer) => {
    tracer.startSpan('hr', { startTime: [1_700_000_000, 5] }).end([1_700_000_001, 7]);
    tracer.startSpan('date', { startTime: new Date(now - 1000) }).end(new Date(now));
    tracer.startSpan('epoch ms', { startTime: now - 500 }).end(now);
    tracer.startSpan('backwards', { startTime: [1_700_000_010, 0] }).end([1_700_000_000, 0]);
  });
  assert.deepEqual(otelkit.spans.map(times), sdk.spans.map(times));
  // A performance timestamp and an end after a given start read the clocks: the same within the test's run.
  const { sdk: a, otelkit: b } = await both((tracer) => {
    tracer.startSpan('perf', { startTime: perf }).end();
    // Started ten seconds ago: ended now by the wall clock, as the SDK ends a span given its start.
    tracer.startSpan('given start, no end', { startTime: new Date(now - 10_000) }).end();
  });
  const ms = (hr) => hr[0] * 1e3 + hr[1] / 1e6;
  assert.ok(Math.abs(ms(b.spans[0].startTime) - ms(a.spans[0].startTime)) < 5);
  assert.ok(Math.abs(ms(b.spans[0].endTime) - ms(a.spans[0].endTime)) < 1000);
  assert.ok(ms(a.spans[1].duration) >= 10_000);
  assert.ok(Math.abs(ms(b.spans[1].duration) - ms(a.spans[1].duration)) < 1000, `${ms(b.spans[1].duration)} ms against ${ms(a.spans[1].duration)} ms`);
});

test('startActiveSpan in each of its forms makes the span current and returns what the function returns', async () => {
  const { sdk, otelkit } = await both(async (tracer) => {
    const seen = [];
    const note = (span) => { seen.push(api.trace.getActiveSpan() === span); span.end(); return seen.length; };
    const results = [
      tracer.startActiveSpan('two', note),
      tracer.startActiveSpan('three', { kind: api.SpanKind.PRODUCER }, note),
      tracer.startActiveSpan('four', { attributes: { k: 'v' } }, api.ROOT_CONTEXT, note),
      tracer.startActiveSpan('four, no context', {}, undefined, note),
      await tracer.startActiveSpan('async', async (span) => { await new Promise((r) => setImmediate(r)); return note(span); }),
    ];
    return { seen, results };
  });
  assert.deepEqual(otelkit.returned, sdk.returned);
  assert.deepEqual(otelkit.returned.seen, [true, true, true, true, true]);
  assert.deepEqual(otelkit.spans.map(view), sdk.spans.map(view));
});

test('the default parent-based sampler follows a sampled-out remote parent alike', async () => {
  const { sdk, otelkit } = await both((tracer) => {
    const out = api.trace.setSpanContext(api.ROOT_CONTEXT, { traceId: 'c'.repeat(32), spanId: 'd'.repeat(16), traceFlags: 0, isRemote: true });
    const span = tracer.startSpan('unsampled child', {}, out);
    span.end();
    return { recording: span.isRecording(), flags: span.spanContext().traceFlags, traceId: span.spanContext().traceId };
  }, {}, new ParentBasedSampler({ root: new AlwaysOnSampler() }));
  assert.deepEqual(otelkit.returned, sdk.returned);
  assert.equal(sdk.spans.length, 0);
  assert.equal(otelkit.spans.length, 0);
});
